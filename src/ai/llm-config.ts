/**
 * The settings of the optional language-model path for call insights (model.ts): INSIGHTS_LLM_URL,
 * INSIGHTS_LLM_MODEL, INSIGHTS_LLM_API_KEY. Kept apart from model.ts so that src/config.ts can read
 * them without loading the rules' NLP models into every process.
 */

export interface LlmConfig {
  /** The chat-completions URL that is POSTed to (already resolved from INSIGHTS_LLM_URL). */
  endpoint: string;
  model: string;
  /** Null for endpoints that need no key (a local server). */
  apiKey: string | null;
}

const ENV = { url: 'INSIGHTS_LLM_URL', model: 'INSIGHTS_LLM_MODEL', apiKey: 'INSIGHTS_LLM_API_KEY' } as const;

/**
 * Reads the model settings. No INSIGHTS_LLM_URL (and no other INSIGHTS_LLM_ variable) means the model
 * path is off: null. Anything set but unusable throws an Error that names the variable (never its
 * value, which for the key is a secret), so a typo fails at start-up instead of silently using rules.
 */
export function llmConfigFromEnv(env: Readonly<Record<string, string | undefined>>): LlmConfig | null {
  const { config, problems } = readLlmConfig(env);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return config;
}

/**
 * The same reading for src/config.ts, which reports every bad variable at once: each problem is
 * `NAME: what is wrong`, never the value.
 */
export function readLlmConfig(env: Readonly<Record<string, string | undefined>>): {
  config: LlmConfig | null;
  problems: string[];
} {
  const read = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const url = read(ENV.url);
  const model = read(ENV.model);
  const apiKey = read(ENV.apiKey);
  const problems: string[] = [];
  if (url === null) {
    if (model !== null || apiKey !== null)
      problems.push(`${ENV.url}: not set, but ${model !== null ? ENV.model : ENV.apiKey} is (set both or neither)`);
    return { config: null, problems };
  }
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(`${ENV.url}: expected an http(s) URL such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1`);
  }
  if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push(`${ENV.url}: expected an http(s) URL such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1`);
    parsed = null;
  }
  if (parsed && (parsed.username !== '' || parsed.password !== '')) {
    problems.push(`${ENV.url}: must not carry credentials; put the key in ${ENV.apiKey}`);
    parsed = null;
  }
  if (model === null) problems.push(`${ENV.model}: required when ${ENV.url} is set (the model name)`);
  else if (!/^[\w.:/@+-]{1,200}$/.test(model))
    problems.push(`${ENV.model}: expected a model name (letters, digits and . _ : / @ + -)`);
  if (apiKey !== null && !/^[\x21-\x7e]{1,1000}$/.test(apiKey))
    problems.push(`${ENV.apiKey}: contains whitespace or non-printable characters`);
  if (problems.length > 0 || parsed === null || model === null) return { config: null, problems };
  return { config: { endpoint: chatCompletionsUrl(parsed), model, apiKey }, problems };
}

function chatCompletionsUrl(url: URL): string {
  const u = new URL(url.href);
  if (!/\/chat\/completions\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/chat/completions`;
  return u.href;
}
