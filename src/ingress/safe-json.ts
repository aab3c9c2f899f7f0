/**
 * JSON.parse that keeps long integers exact. Dialpad sends 16-digit ids as JSON numbers; past 2^53
 * a plain parse silently changes them. Every integer literal of 16 or more digits outside a string
 * is turned into a string before parsing, so ids survive exactly (and are strings, as we keep them).
 */
export function parseJsonKeepingLongIntegers(text: string): unknown {
  let out = '';
  let i = 0;
  let last = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      const isPlainInteger = i >= n || !/[.eE]/.test(text[i]!);
      const digits = i - start - (c === 0x2d ? 1 : 0);
      if (isPlainInteger && digits >= 16) {
        out += `${text.slice(last, start)}"${text.slice(start, i)}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}
