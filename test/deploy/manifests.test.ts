import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  COMMANDS,
  listFiles,
  loadValues,
  mergeValues,
  OUTPUT_DIR,
  parseValues,
  render,
  VALUES_PATH,
  writeRendered,
  type RenderedFile,
  type Values,
} from '../../deploy/render';
import { crossCheck, parseDocuments, validateDocument, type Expect } from './manifest-checks';

/**
 * deploy/kubernetes/ is rendered from deploy/values.yaml by `npm run deploy:render`. No cluster
 * runs here, so the manifests are checked by reading them: each document against the Kubernetes
 * OpenAPI schema of its kind (kubernetes-models), then how they fit together.
 */
const ROOT = join(__dirname, '..', '..');
const baseRaw = parse(readFileSync(VALUES_PATH, 'utf8'));
const values = loadValues();

/** Everything switched on: Temporal Cloud auth (API key and mTLS), Postgres CA, a public Ingress. */
const FULL_OVERLAY = {
  image: { digest: `sha256:${'a'.repeat(64)}`, pullSecrets: ['registry-credentials'] },
  temporal: {
    address: 'navigator.a1b2c.tmprl.cloud:7233',
    namespace: 'navigator.a1b2c',
    apiKey: true,
    tls: {
      secretName: 'navigator-dialpad-temporal-tls',
      clientCertificate: true,
      ca: true,
      serverName: 'navigator.a1b2c.tmprl.cloud',
    },
  },
  database: { caSecretName: 'navigator-dialpad-database-ca' },
  dialpad: { publicWebhookUrl: 'https://navigator.example.com/webhooks/dialpad' },
  otelExporterOtlpEndpoint: 'http://otel-collector.observability:4318',
  extraEnv: { CALL_AI_WAIT_SECONDS: '600' },
  metrics: { podMonitor: { labels: { release: 'kube-prometheus-stack' } } },
  ingress: {
    public: {
      enabled: true,
      className: 'nginx',
      tlsSecretName: 'navigator-dialpad-tls',
      paths: ['/webhooks/dialpad', '/api'],
    },
  },
};
const fullValues = parseValues(mergeValues(baseRaw, FULL_OVERLAY));

interface Rendered {
  files: Map<string, string>;
  /** The documents applied (the numbered files), in order. */
  manifests: any[];
  /** The example Secrets: their keys are what the real Secrets must hold. */
  secrets: any[];
  expect: Expect;
}

function read(files: Map<string, string>, v: Values): Rendered {
  const manifests = [...files.keys()]
    .filter((p) => /^\d\d-.*\.yaml$/.test(p))
    .sort()
    .flatMap((p) => parseDocuments(files.get(p)!));
  const secrets = parseDocuments(files.get('examples/secret.yaml')!);
  const adapter = parse(files.get('examples/prometheus-adapter-values.yaml')!);
  const adapterMetrics = [...adapter.rules.custom, ...adapter.rules.external].map((r: any) => r.name.as);
  return {
    files,
    manifests,
    secrets,
    expect: {
      ingressPort: v.ingress.port,
      metricsPort: v.metrics.port,
      temporalMetricsPort: v.metrics.temporalPort,
      adapterMetrics,
    },
  };
}

const asMap = (files: RenderedFile[]) => new Map(files.map((f) => [f.path, f.text]));
/** What is committed in deploy/kubernetes/ (the files themselves, not a fresh render). */
const committed = read(
  new Map(listFiles(OUTPUT_DIR).map((p) => [p, readFileSync(join(OUTPUT_DIR, p), 'utf8')])),
  values,
);
const full = read(asMap(render(fullValues)), fullValues);

const byKind = (r: Rendered, kind: string, component?: string) =>
  r.manifests.filter(
    (d) => d.kind === kind && (!component || d.metadata.labels?.['app.kubernetes.io/component'] === component),
  );
const clone = <T>(v: T): T => structuredClone(v);

describe('deploy/kubernetes', () => {
  it('is a fresh render of deploy/values.yaml (run `npm run deploy:render` after editing the values or the renderer)', () => {
    const fresh = render(values);
    expect(listFiles(OUTPUT_DIR)).toEqual(fresh.map((f) => f.path).sort());
    for (const f of fresh)
      expect({ path: f.path, text: committed.files.get(f.path) }).toEqual({ path: f.path, text: f.text });
    expect(statSync(join(OUTPUT_DIR, 'apply.sh')).mode & 0o111).not.toBe(0);
  });

  it.each([
    ['the committed render', committed],
    ['a render with every option on', full],
  ])('%s: every document validates against the schema of its kind', (_name, r) => {
    const docs = [...r.manifests, ...r.secrets];
    for (const doc of docs) {
      try {
        validateDocument(doc);
      } catch (err) {
        throw new Error(`${doc.kind} ${doc.metadata?.name}: ${(err as Error).message}`, { cause: err });
      }
    }
    const kinds = r.manifests.map((d) => d.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'HorizontalPodAutoscaler',
        'Job',
        'PodDisruptionBudget',
        'PodDisruptionBudget',
        'PodMonitor',
        'PodMonitor',
        'Service',
        'ServiceAccount',
      ]),
    );
    expect(r.secrets.every((s) => s.kind === 'Secret')).toBe(true);
  });

  it.each([
    ['the committed render', committed],
    ['a render with every option on', full],
  ])('%s: ports, probes, selectors, secret keys and scraping fit together', (_name, r) => {
    expect(crossCheck(r.manifests, r.secrets, r.expect)).toEqual([]);
  });

  describe('the validator refuses a broken manifest', () => {
    const deployment = byKind(committed, 'Deployment', 'ingress')[0];

    it.each<[string, (d: any) => void, RegExp]>([
      ['replicas as a string', (d) => (d.spec.replicas = 'two'), /replicas must be integer/],
      [
        'a probe port that is neither a number nor a name',
        (d) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.port = 87.87),
        /port/,
      ],
      ['a container without a name', (d) => (d.spec.template.spec.containers[0].name = undefined), /name/],
      ['a selector of the wrong type', (d) => (d.spec.selector = 'ingress'), /selector/],
    ])('%s', (_name, breakIt, message) => {
      expect(() => validateDocument(deployment)).not.toThrow();
      const broken = clone(deployment);
      breakIt(broken);
      expect(() => validateDocument(broken)).toThrow(message);
    });

    it('a kind it has no schema for, and a PodMonitor endpoint port given as a number (the CRD schema)', () => {
      expect(() => validateDocument({ ...deployment, apiVersion: 'apps/v1beta1' })).toThrow(/no schema/);
      const monitor = clone(byKind(committed, 'PodMonitor', 'worker')[0]);
      validateDocument(monitor);
      monitor.spec.podMetricsEndpoints[0].port = 9464;
      expect(() => validateDocument(monitor)).toThrow(/port must be string/);
    });
  });

  describe('the cross-checks catch what a schema cannot', () => {
    const find = (r: Rendered, kind: string, component?: string) => byKind(r, kind, component)[0];
    it.each<[string, (r: Rendered) => void, RegExp]>([
      [
        'a readiness probe on a port the container lacks',
        (r) => (find(r, 'Deployment', 'ingress').spec.template.spec.containers[0].readinessProbe.httpGet.port = 'htp'),
        /readinessProbe port "htp"/,
      ],
      [
        'readiness on /healthz instead of /readyz',
        (r) =>
          (find(r, 'Deployment', 'ingress').spec.template.spec.containers[0].readinessProbe.httpGet.path = '/healthz'),
        /readiness probe is not GET \/readyz\?for=webhooks/,
      ],
      [
        'a Service targetPort no container has',
        (r) => (find(r, 'Service').spec.ports[0].targetPort = 'web'),
        /targetPort web/,
      ],
      [
        'a secretKeyRef to a key the Secret lacks',
        (r) =>
          (find(r, 'Deployment', 'worker').spec.template.spec.containers[0].env.find(
            (e: any) => e.name === 'DATABASE_URL',
          ).valueFrom.secretKeyRef.key = 'DATABASE_URI'),
        /key DATABASE_URI the Secret lacks/,
      ],
      [
        'a secret given in clear',
        (r) =>
          find(r, 'Deployment', 'worker').spec.template.spec.containers[0].env.push({ name: 'API_TOKEN', value: 'x' }),
        /API_TOKEN given in clear/,
      ],
      [
        'a PodDisruptionBudget selecting no pods',
        (r) =>
          (find(r, 'PodDisruptionBudget', 'worker').spec.selector.matchLabels['app.kubernetes.io/component'] = 'wrker'),
        /selects no Deployment/,
      ],
      [
        'an autoscaler on a metric the adapter does not serve',
        (r) => (find(r, 'HorizontalPodAutoscaler', 'worker').spec.metrics[0].pods.metric.name = 'temporal_slots'),
        /metric temporal_slots is not served/,
      ],
      [
        'an autoscaler without the CPU fallback',
        (r) =>
          (find(r, 'HorizontalPodAutoscaler', 'worker').spec.metrics = find(
            r,
            'HorizontalPodAutoscaler',
            'worker',
          ).spec.metrics.filter((m: any) => m.type !== 'Resource')),
        /no CPU metric/,
      ],
      [
        'a scrape annotation on a port the pod does not serve',
        (r) => (find(r, 'Deployment', 'worker').spec.template.metadata.annotations['prometheus.io/port'] = '9999'),
        /prometheus.io\/port 9999/,
      ],
      [
        'a PodMonitor endpoint naming an undeclared port',
        (r) => (find(r, 'PodMonitor', 'worker').spec.podMetricsEndpoints[1].port = 'temporal-metrics'),
        /endpoint port temporal-metrics/,
      ],
      [
        'METRICS_PORT different from the declared port',
        (r) =>
          (find(r, 'Deployment', 'ingress').spec.template.spec.containers[0].env.find(
            (e: any) => e.name === 'METRICS_PORT',
          ).value = '9100'),
        /METRICS_PORT=9100/,
      ],
      [
        'a writable root filesystem',
        (r) => (find(r, 'Job').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
        /root filesystem writable/,
      ],
    ])('%s', (_name, breakIt, message) => {
      const r = clone(committed);
      breakIt(r);
      expect(crossCheck(r.manifests, r.secrets, r.expect).join('\n')).toMatch(message);
    });
  });

  it('runs the migration to completion before the workers, and the workers before the ingresses', () => {
    const script = committed.files.get('apply.sh')!;
    execFileSync('bash', ['-n', join(OUTPUT_DIR, 'apply.sh')]);
    const at = (s: string) => {
      const i = script.indexOf(s);
      if (i < 0) throw new Error(`apply.sh lacks ${s}`);
      return i;
    };
    const steps = [
      at('kubectl apply -f 00-config.yaml'),
      at('kubectl apply -f 10-migrate.yaml'),
      at('*" Complete "*) break'),
      at('kubectl apply -f 20-worker.yaml'),
      at('rollout status deployment/navigator-dialpad-worker'),
      at('kubectl apply -f 30-ingress.yaml'),
      at('rollout status deployment/navigator-dialpad-ingress'),
    ];
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(script).toMatch(/\*" Failed "\*\)[\s\S]*?exit 1/);
    // Every numbered manifest is applied; the examples (placeholders) never are.
    for (const p of committed.files.keys()) if (/^\d\d-/.test(p)) expect(script).toContain(`apply -f ${p}`);
    expect(script).not.toContain('examples/');
    // The Job runs this release's image, and the file names sort in the same order.
    const job = byKind(committed, 'Job')[0];
    expect(job.metadata.name).toBe('navigator-dialpad-migrate-0-1-0');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].image).toBe(
      byKind(committed, 'Deployment', 'worker')[0].spec.template.spec.containers[0].image,
    );
  });

  it('runs the image’s compiled entry points, the ones docker-compose.yml runs', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
    expect(COMMANDS.ingress).toEqual(compose.services.ingress.command);
    expect(COMMANDS.worker).toEqual(compose.services.worker.command);
    expect(COMMANDS.migrate).toEqual(compose.services.migrate.command);
    for (const command of Object.values(COMMANDS)) {
      const source = command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(existsSync(join(ROOT, source))).toBe(true);
    }
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:\d+/m); // its `node` user is uid 1000 (IMAGE_UID)
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/app$/m);
    const [worker] = byKind(committed, 'Deployment', 'worker');
    const [ingress] = byKind(committed, 'Deployment', 'ingress');
    expect(worker.spec.template.spec.containers[0].command).toEqual(COMMANDS.worker);
    expect(ingress.spec.template.spec.containers[0].command).toEqual(COMMANDS.ingress);
  });

  it('sets only variables the processes read', () => {
    const configSource = readFileSync(join(ROOT, 'src', 'config.ts'), 'utf8');
    const schemaBlock = configSource.slice(configSource.indexOf('const schema = z.object({'));
    const known = new Set([
      ...[...schemaBlock.slice(0, schemaBlock.indexOf('\n});')).matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]),
      'NODE_ENV',
      'NODE_OPTIONS',
      // Read by changes made beside this one (Temporal SDK metrics and Cloud/TLS connection, Postgres TLS, tracing).
      'TEMPORAL_METRICS_PORT',
      'TEMPORAL_API_KEY',
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_CA',
      'TEMPORAL_TLS_SERVER_NAME',
      'DATABASE_CA',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ]);
    expect(known.has('DATABASE_URL') && known.has('METRICS_PORT')).toBe(true);
    const names = new Set<string>();
    for (const cm of byKind(full, 'ConfigMap')) for (const k of Object.keys(cm.data)) names.add(k);
    for (const owner of [...byKind(full, 'Deployment'), ...byKind(full, 'Job')])
      for (const c of owner.spec.template.spec.containers) for (const e of c.env) names.add(e.name);
    expect([...names].filter((n) => !known.has(n))).toEqual([]);
  });

  it('points the TLS variables at files mounted from their Secrets', () => {
    const [config] = byKind(full, 'ConfigMap');
    const paths = ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA', 'DATABASE_CA'].map(
      (k) => config.data[k],
    );
    expect(paths.every((p) => typeof p === 'string')).toBe(true);
    for (const owner of [...byKind(full, 'Deployment'), ...byKind(full, 'Job')]) {
      const spec = owner.spec.template.spec;
      for (const c of spec.containers)
        for (const path of paths) {
          const mount = c.volumeMounts.find((m: any) => path.startsWith(`${m.mountPath}/`));
          expect(mount?.readOnly).toBe(true);
          const volume = spec.volumes.find((v: any) => v.name === mount.name);
          expect(volume.secret.items.map((i: any) => i.path)).toContain(path.slice(mount.mountPath.length + 1));
        }
    }
    expect(config.data.TEMPORAL_TLS_SERVER_NAME).toBe('navigator.a1b2c.tmprl.cloud');
    const env = byKind(full, 'Deployment', 'worker')[0].spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'TEMPORAL_API_KEY').valueFrom.secretKeyRef.optional).toBeUndefined();
    // The default render mounts no certificate and reads no API key.
    expect(byKind(committed, 'ConfigMap')[0].data.TEMPORAL_TLS_CERT).toBeUndefined();
    expect(committed.secrets.map((s) => s.metadata.name)).toEqual(['navigator-dialpad']);
  });

  it('scales the worker on slot use and schedule-to-start with CPU as the fallback, or on CPU alone', () => {
    const metrics = byKind(committed, 'HorizontalPodAutoscaler', 'worker')[0].spec.metrics;
    expect(metrics.map((m: any) => m.type)).toEqual(['Pods', 'External', 'External', 'Resource']);
    expect(metrics[1].external.metric.selector.matchLabels).toEqual({ task_queue: 'navigator-dialpad' });
    const cpuOnly = parseValues(
      mergeValues(baseRaw, {
        worker: { autoscaling: { slotUtilization: { enabled: false }, scheduleToStart: { enabled: false } } },
      }),
    );
    const hpa = parseDocuments(render(cpuOnly).find((f) => f.path === '20-worker.yaml')!.text).find(
      (d) => d.kind === 'HorizontalPodAutoscaler',
    );
    expect(hpa.spec.metrics.map((m: any) => m.type)).toEqual(['Resource']);
    // Scaled by KEDA: no autoscaler of ours, and still no replica count an apply would reset.
    const keda = parseValues(mergeValues(baseRaw, { worker: { autoscaling: { hpa: false } } }));
    const kedaRender = read(asMap(render(keda)), keda);
    expect(byKind(kedaRender, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual([
      'navigator-dialpad-ingress',
    ]);
    expect(crossCheck(kedaRender.manifests, kedaRender.secrets, kedaRender.expect).join('\n')).toMatch(
      /Deployment navigator-dialpad-worker: 0 autoscalers target it, not 1/,
    );
    expect(
      crossCheck(kedaRender.manifests, kedaRender.secrets, {
        ...kedaRender.expect,
        scaledElsewhere: ['navigator-dialpad-worker'],
      }),
    ).toEqual([]);
    // The autoscaler owns the replica count; an apply never resets it.
    for (const d of byKind(committed, 'Deployment')) expect(d.spec.replicas).toBeUndefined();
  });

  describe('values', () => {
    const refused = (overlay: unknown) => () => parseValues(mergeValues(baseRaw, overlay));
    it('refuses an unknown or misspelt key, and a secret-looking or reserved extraEnv', () => {
      expect(refused({ worker: { replica: 3 } })).toThrow(/worker: Unrecognized key: "replica"/);
      expect(refused({ extraEnv: { DATABASE_PASSWORD: 'x' } })).toThrow(
        /extraEnv.DATABASE_PASSWORD: looks like a secret/,
      );
      expect(refused({ extraEnv: { PORT: '9000' } })).toThrow(/extraEnv.PORT: set by the renderer/);
      expect(refused({ temporal: { tls: { ca: true } } })).toThrow(/temporal.tls.secretName: required/);
      expect(refused({ metrics: { temporalPort: 9464 } })).toThrow(/must differ/);
      expect(refused({ ingress: { terminationGracePeriodSeconds: 20 } })).toThrow(/terminationGracePeriodSeconds/);
      expect(refused({ image: { tag: 'latest please' } })).toThrow(/image.tag/);
    });

    it('keeps files it did not render when it writes, and removes ones it rendered before', () => {
      const dir = mkdtempSync(join(tmpdir(), 'deploy-render-'));
      try {
        writeFileSync(join(dir, 'mine.yaml'), 'kind: Mine\n');
        writeRendered(render(fullValues), dir);
        expect(listFiles(dir)).toContain('30-ingress.yaml');
        writeRendered(render(parseValues(mergeValues(baseRaw, { metrics: { podMonitor: { enabled: false } } }))), dir);
        expect(listFiles(dir)).not.toContain('40-monitoring.yaml');
        expect(listFiles(dir)).toContain('mine.yaml');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
