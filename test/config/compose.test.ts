import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** No Docker engine runs here, so the compose file is checked by reading it. */
const ROOT = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');

describe('docker-compose.yml', () => {
  it('has the whole system: Postgres, Temporal on it, the UI, search attributes, migrations, ingress, worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['ingress', 'migrate', 'postgres', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker'].sort(),
    );
    expect(compose.services.temporal.environment.DB).toBe('postgres12');
    expect(compose.services.temporal.environment.POSTGRES_SEEDS).toBe('postgres');
    const sa = compose.services['temporal-search-attributes'].command.join(' ');
    for (const name of ['DialpadCallId', 'DialpadOfficeId', 'NavigatorAccountId', 'CallState'])
      expect(sa).toContain(name);
  });

  it('gives every long-running service a healthcheck or a healthy dependency', () => {
    for (const name of ['postgres', 'temporal', 'ingress']) expect(compose.services[name].healthcheck).toBeDefined();
    expect(compose.services.worker.depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(compose.services.ingress.depends_on.migrate.condition).toBe('service_completed_successfully');
  });

  it('publishes the ingress, the Temporal frontend and the UI', () => {
    expect(compose.services.ingress.ports).toContain('8787:8787');
    expect(compose.services.temporal.ports).toContain('127.0.0.1:7233:7233');
    expect(compose.services['temporal-ui'].ports).toContain('127.0.0.1:8233:8080');
  });

  it('passes the app every contract variable, each documented in .env.example', () => {
    const contract = [
      'DATABASE_URL',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'DIALPAD_API_KEY',
      'DIALPAD_API_BASE_URL',
      'DIALPAD_WEBHOOK_SECRET',
      'HOST',
      'PORT',
      'API_TOKEN',
      'ADMIN_TOKEN',
      'LOG_LEVEL',
    ];
    for (const service of ['ingress', 'worker', 'migrate']) {
      for (const name of contract) expect(Object.keys(compose.services[service].environment)).toContain(name);
    }
    for (const name of contract) expect(envExample).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    // The app services point at the compose services by name.
    expect(compose.services.ingress.environment.DATABASE_URL).toContain('@postgres:5432/');
    expect(compose.services.ingress.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('builds the app image from the Dockerfile with commands that exist after `npm run build`', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm run build');
    expect(compose.services.ingress.command).toEqual(['node', 'dist/src/server.js']);
    expect(compose.services.worker.command).toEqual(['node', 'dist/src/worker.js']);
    expect(compose.services.migrate.command).toEqual(['node', 'dist/src/db/migrate.js', 'latest']);
  });
});
