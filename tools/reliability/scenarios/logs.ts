import { join } from 'node:path';
import type { ReliabilityEnv } from '../lib/env';
import { emitted } from '../lib/emit';
import { LogScanner, productLogFiles, scanInputOf, type Finding } from '../lib/logscan';
import type { Scenario } from '../lib/result';

/**
 * Scenario 8: the ingress and worker processes logged at info level into .data/reliability/logs for
 * the whole run; none of it may hold a secret (webhook secret, API and admin tokens, Dialpad API
 * key, a database URL with its password), a signed webhook body, a transcript or voicemail sentence,
 * an Ai recap sentence, a contact's full name, or a full phone number of the emitted calls.
 */

export const logsScenario: Scenario = {
  name: 'logs',
  title: 'logs at info level hold no secret, token, signed body, transcript text or full phone number',
  run: async (env: ReliabilityEnv) => {
    const scanner = new LogScanner(scanInputOf(env));
    const files = productLogFiles(env.logsDir);
    for (const f of files) await scanner.scanFile(join(env.logsDir, f), f);
    const failures: string[] = [];
    if (!files.some((f) => f.startsWith('ingress')) || !files.some((f) => f.startsWith('worker'))) {
      failures.push(`expected ingress and worker logs, found: ${files.join(', ') || 'none'}`);
    }
    if (scanner.infoLines === 0) failures.push('no info-level line in the logs: were they written at info level?');
    if (emitted.phoneNumbers.size === 0) failures.push('no emitted calls to look for (run the call scenarios first)');
    const grouped = new Map<string, Finding[]>();
    for (const f of scanner.findings)
      grouped.set(`${f.what} at ${f.level}`, [...(grouped.get(`${f.what} at ${f.level}`) ?? []), f]);
    for (const [what, list] of grouped) {
      failures.push(`${list.length} × ${what}`);
      failures.push(
        ...[...new Map(list.map((f) => [f.where, f])).values()]
          .slice(0, 4)
          .map((f) => `  e.g. ${f.file}:${f.line} (${f.where})`),
      );
    }
    return {
      scenario: 'logs',
      title: logsScenario.title,
      sent: scanner.lines,
      expected: 0,
      stored: files.length,
      lost: 0,
      duplicated: 0,
      wrong: scanner.findings.length,
      failures,
      details: {
        files,
        lines: scanner.lines,
        infoLines: scanner.infoLines,
        lookedFor: {
          secrets: 6,
          phoneNumbers: emitted.phoneNumbers.size,
          transcriptSentences: emitted.transcriptLines.size,
          aiTexts: emitted.aiTexts.size,
          contactNames: emitted.contactNames.size,
        },
        findings: scanner.findings.length,
      },
    };
  },
};
