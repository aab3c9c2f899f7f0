import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** No Docker engine runs here, so the compose file is checked by reading it. */
const ROOT = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');

describe('docker-compose.yml', () => {
  it('has the whole system: Postgres, Temporal on it, the UI, search attributes, migrations, ingress, worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'grafana',
        'ingress',
        'migrate',
        'postgres',
        'prometheus',
        'temporal',
        'temporal-search-attributes',
        'temporal-ui',
        'worker',
      ].sort(),
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

  it('runs Prometheus with the scrape config and alert rules, and Grafana with the datasource and dashboard', () => {
    const prometheus = compose.services.prometheus;
    expect(prometheus.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const promConfig = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    expect(promConfig.rule_files).toEqual(['alerts.yml']);
    const grafana = compose.services.grafana;
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/etc/grafana/dashboards:ro',
      ]),
    );
    // Every mounted file or folder of the repository exists.
    for (const service of [prometheus, grafana]) {
      for (const volume of service.volumes as string[]) {
        if (volume.startsWith('./')) expect(existsSync(join(ROOT, volume.split(':')[0]!))).toBe(true);
      }
    }
    const datasource = parse(
      readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    );
    expect(datasource.datasources[0].url).toBe('http://prometheus:9090');
    const provider = parse(
      readFileSync(join(ROOT, 'deploy/grafana/provisioning/dashboards/navigator-dialpad.yml'), 'utf8'),
    );
    expect(provider.providers[0].options.path).toBe('/etc/grafana/dashboards');
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards/navigator-dialpad.json'), 'utf8'));
    const dsVariable = dashboard.templating.list.find((v: { name: string }) => v.name === 'datasource');
    expect(dsVariable.current.value).toBe(datasource.datasources[0].uid);
    expect(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      '/etc/grafana/dashboards/navigator-dialpad.json',
    );
    // Only this machine reaches them.
    expect(prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(grafana.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('serves the app metrics and the SDK metrics where prometheus.yml scrapes them', () => {
    const promConfig = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'));
    const targets = Object.fromEntries(
      promConfig.scrape_configs.map((s: { job_name: string; static_configs: { targets: string[] }[] }) => [
        s.job_name,
        s.static_configs.flatMap((c) => c.targets),
      ]),
    );
    const { ingress, worker } = compose.services;
    expect(targets['navigator-ingress']).toEqual([`ingress:${ingress.environment.METRICS_PORT}`]);
    expect(targets['navigator-worker']).toEqual([`worker:${worker.environment.METRICS_PORT}`]);
    expect(targets['navigator-worker-sdk']).toEqual([`worker:${worker.environment.TEMPORAL_METRICS_PORT}`]);
    // Metrics stay on the compose network: the ingress publishes only its public port.
    expect(ingress.ports).toEqual(['8787:8787']);
    expect(worker.ports).toBeUndefined();
    for (const name of ['METRICS_PORT', 'TEMPORAL_METRICS_PORT'])
      expect(envExample).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('builds the app image from the Dockerfile with commands that exist after `npm run build`', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('npm run build');
    expect(compose.services.ingress.command).toEqual(['node', 'dist/src/server.js']);
    expect(compose.services.worker.command).toEqual(['node', 'dist/src/worker.js']);
    expect(compose.services.migrate.command).toEqual(['node', 'dist/src/db/migrate.js', 'latest']);
  });
});
