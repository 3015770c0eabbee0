/**
 * The Helm chart renders and lints with a real Helm (deploy/local/helm.sh builds one when none is installed),
 * and what it renders keeps the secure defaults ops rely on.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'helm', 'cvp');
const REQUIRED = [
  '--set',
  'image.repository=registry.example/cvp',
  '--set',
  'kafka.brokers={kafka-0.kafka:9092}',
  '--set',
  'redis.url=redis://redis-master:6379',
  '--set',
  'database.existingSecret=cvp-database',
];

let helm = '';
const run = (args: string[]) =>
  execFileSync(helm, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
type Manifest = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any };
const render = (extra: string[] = []): Manifest[] =>
  parseAllDocuments(run(['template', 'cvp', CHART, ...REQUIRED, ...extra]))
    .map((doc) => doc.toJS() as Manifest)
    .filter(Boolean);

beforeAll(() => {
  helm = execFileSync('bash', [join(ROOT, 'deploy', 'local', 'helm.sh')], { encoding: 'utf8' }).trim();
});

describe('helm chart', () => {
  it('lints cleanly in strict mode, defaults and with every option on', () => {
    expect(() => run(['lint', CHART, '--strict', ...REQUIRED])).not.toThrow();
    expect(() =>
      run(['lint', CHART, '--strict', ...REQUIRED, '-f', join(CHART, 'ci', 'all-features-values.yaml')]),
    ).not.toThrow();
  });

  it('deploys the five services, the console and the review-text worker with secure defaults, probes and a config checksum', () => {
    const manifests = render();
    const deployments = manifests.filter((m) => m.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'cvp-campaigns',
      'cvp-console',
      'cvp-features',
      'cvp-ingest',
      'cvp-review-text',
      'cvp-scorer',
      'cvp-trainer',
    ]);
    // The review-text worker is the features image in its own role and consumer group.
    const worker = deployments.find((d) => d.metadata.name === 'cvp-review-text')!.spec.template.spec.containers[0];
    expect(worker.args).toContain('dist/apps/features/src/main.js');
    expect(worker.env).toEqual(
      expect.arrayContaining([
        { name: 'FEATURES_ROLE', value: 'review-text' },
        { name: 'KAFKA_GROUP_ID', value: 'cvp-review-text' },
      ]),
    );
    for (const deployment of deployments) {
      const pod = deployment.spec.template;
      expect(pod.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
      for (const container of pod.spec.containers) {
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.livenessProbe.httpGet.path).toBe('/health/live');
        expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      }
    }
    const hook = manifests.find((m) => m.kind === 'Job' && m.metadata.annotations?.['helm.sh/hook']);
    expect(hook?.metadata.annotations?.['helm.sh/hook']).toMatch(/pre-install/);
  });

  it('refuses to render without the required values, naming them', () => {
    expect(() => run(['template', 'cvp', CHART])).toThrow(/kafka\.brokers is required/);
  });

  it('shares one model store volume: the trainer writes it, the scorers read it, at the same path', () => {
    const manifests = render();
    const claim = manifests.find((m) => m.kind === 'PersistentVolumeClaim');
    expect(claim?.metadata.name).toBe('cvp-models');
    expect(claim?.spec.accessModes).toEqual(['ReadWriteMany']);
    const deployment = (name: string) => manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name)!;
    for (const [name, readOnly] of [
      ['cvp-trainer', false],
      ['cvp-scorer', true],
      ['cvp-review-text', true],
    ] as const) {
      const pod = deployment(name).spec.template.spec;
      const container = pod.containers[0];
      expect(container.env).toContainEqual({ name: 'MODEL_STORE_DIR', value: '/var/lib/cvp/models' });
      expect(container.volumeMounts).toContainEqual({ name: 'models', mountPath: '/var/lib/cvp/models', readOnly });
      expect(pod.volumes).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: 'cvp-models' } });
    }
    const trainer = deployment('cvp-trainer').spec;
    expect(trainer.replicas).toBe(1);
    expect(trainer.strategy).toEqual({ type: 'Recreate' });
    expect(deployment('cvp-ingest').spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['tmp']);
    const existing = render(['--set', 'modelStore.existingClaim=shared-models']);
    expect(existing.some((m) => m.kind === 'PersistentVolumeClaim')).toBe(false);
  });

  it('puts the trainer on a GPU node with its own image, and nothing else, with ci/trainer-gpu-values.yaml', () => {
    const gpu = ['-f', join(CHART, 'ci', 'trainer-gpu-values.yaml')];
    expect(() => run(['lint', CHART, '--strict', ...REQUIRED, ...gpu])).not.toThrow();
    const deployments = render(gpu).filter((m) => m.kind === 'Deployment');
    const trainer = deployments.find((d) => d.metadata.name === 'cvp-trainer')!.spec.template.spec;
    expect(trainer.runtimeClassName).toBe('nvidia');
    expect(trainer.containers[0].image).toBe('registry.example/cvp:0.1.0-gpu');
    expect(trainer.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    for (const other of deployments.filter((d) => d.metadata.name !== 'cvp-trainer')) {
      expect(other.spec.template.spec.runtimeClassName).toBeUndefined();
      expect(other.spec.template.spec.containers[0].image).not.toMatch(/gpu/);
    }
  });

  it('sets the one score clock once, for every service, and refuses an unknown mode', () => {
    const config = (extra: string[] = []) =>
      render(extra).find((m) => m.kind === 'ConfigMap') as unknown as {
        data: Record<string, string>;
      };
    expect(config().data).toMatchObject({ SCORE_CLOCK: 'wall', SCORE_CLOCK_LATENESS_SECONDS: '3600' });
    expect(config(['--set', 'scoreClock.mode=event-time']).data.SCORE_CLOCK).toBe('event-time');
    expect(() => run(['template', 'cvp', CHART, ...REQUIRED, '--set', 'scoreClock.mode=lunar'])).toThrow(/scoreClock/);
  });

  it('gives every service and the topics Job the Kafka TLS and SASL settings, the password only from a Secret', () => {
    const secure = [
      '--set',
      'kafka.tls.enabled=true',
      '--set',
      'kafka.tls.caSecret=kafka-ca',
      '--set',
      'kafka.sasl.mechanism=scram-sha-512',
      '--set',
      'kafka.sasl.existingSecret=cvp-kafka-user',
    ];
    const workloads = render(secure).filter((m) => m.kind === 'Deployment' || m.kind === 'Job');
    expect(workloads.length).toBe(8);
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toMatchObject({
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: '/etc/cvp/kafka-ca/ca.crt',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_PASSWORD: { secretKeyRef: { name: 'cvp-kafka-user', key: 'password' } },
      });
      expect(pod.volumes).toContainEqual({ name: 'kafka-ca', secret: { secretName: 'kafka-ca' } });
    }
    const plain = render().filter((m) => m.kind === 'Deployment');
    expect(JSON.stringify(plain)).not.toContain('KAFKA_SASL');
    expect(() => run(['template', 'cvp', CHART, ...REQUIRED, '--set', 'kafka.sasl.mechanism=scram-sha-256'])).toThrow(
      /kafka.sasl.existingSecret is required/,
    );
    expect(() => run(['template', 'cvp', CHART, ...REQUIRED, '--set', 'kafka.sasl.mechanism=gssapi'])).toThrow(
      /mechanism/,
    );
  });

  it('lets only pods of the release and labelled clients reach the services, by default', () => {
    const policies = render().filter((m) => m.kind === 'NetworkPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(
      ['campaigns', 'console', 'features', 'ingest', 'review-text', 'scorer', 'trainer'].map((name) => `cvp-${name}`),
    );
    for (const policy of policies) expect(policy.spec.ingress[0].from).toHaveLength(2);
    expect(render(['--set', 'networkPolicy.enabled=false']).some((m) => m.kind === 'NetworkPolicy')).toBe(false);
  });

  it("points the console at the other services' Services, and lets it reach them when egress is closed", () => {
    const consoleOf = (extra: string[] = []) =>
      render(extra).find((m) => m.kind === 'Deployment' && m.metadata.name.endsWith('-console'))!.spec.template.spec
        .containers[0];
    const container = consoleOf();
    expect(container.args).toContain('dist/apps/console/src/main.js');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3006, protocol: 'TCP' }]);
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'INGEST_URL', value: 'http://cvp-ingest:3001' },
        { name: 'FEATURES_URL', value: 'http://cvp-features:3002' },
        { name: 'TRAINER_URL', value: 'http://cvp-trainer:3003' },
        { name: 'SCORER_URL', value: 'http://cvp-scorer:3004' },
        { name: 'CAMPAIGNS_URL', value: 'http://cvp-campaigns:3005' },
      ]),
    );
    // It consumes nothing: no consumer group.
    expect(container.env.map((e: { name: string }) => e.name)).not.toContain('KAFKA_GROUP_ID');
    // The URL follows the release's names and the Service's port; a disabled service gets none.
    const renamed = consoleOf(['--set', 'fullnameOverride=shop', '--set', 'services.scorer.service.port=80']);
    expect(renamed.env).toContainEqual({ name: 'SCORER_URL', value: 'http://shop-scorer:80' });
    const withoutCampaigns = consoleOf(['--set', 'services.campaigns.enabled=false']);
    expect(withoutCampaigns.env.map((e: { name: string }) => e.name)).not.toContain('CAMPAIGNS_URL');
    // With egress closed, the console's policy opens the pods' HTTP port of each service it calls.
    const policy = render(['--set', 'networkPolicy.allowExternalEgress=false']).find(
      (m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'cvp-console',
    )!;
    const egress = policy.spec.egress.filter((rule: { to?: unknown }) => rule.to);
    expect(
      egress.map((rule: any) => [
        rule.to[0].podSelector.matchLabels['app.kubernetes.io/component'],
        rule.ports[0].port,
      ]),
    ).toEqual([
      ['ingest', 3001],
      ['features', 3002],
      ['trainer', 3003],
      ['scorer', 3004],
      ['campaigns', 3005],
    ]);
    expect(() => render(['--set', 'services.console.upstreams={scorer,billing}'])).toThrow(
      /services\.console\.upstreams: billing is not a service/,
    );
  });

  it('ships the Grafana dashboard for the sidecar, and a ServiceMonitor on /metrics when asked', () => {
    const dashboard = render().find(
      (m) => m.kind === 'ConfigMap' && m.metadata.name === 'cvp-dashboard',
    ) as Manifest & {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    const json = JSON.parse(dashboard.data['cvp-pipeline.json']) as { panels: { targets: { expr: string }[] }[] };
    // Every series it plots is one the services export (see `cvp_*` in the README's Metrics section).
    const series = json.panels.flatMap((panel) => panel.targets.map((target) => /cvp_[a-z_]+/.exec(target.expr)![0]));
    expect(new Set(series)).toEqual(
      new Set([
        'cvp_ingest_events_total',
        'cvp_kafka_consumer_lag',
        'cvp_kafka_consumed_records_total',
        'cvp_kafka_produced_messages_total',
        'cvp_scoring_batch_duration_seconds_bucket',
        'cvp_scoring_scores_total',
        'cvp_sweep_customers_total',
        'cvp_http_server_requests_total',
        'cvp_http_server_duration_seconds_bucket',
        'cvp_kafka_batch_duration_seconds_bucket',
        'cvp_model_in_use',
      ]),
    );
    expect(render().some((m) => m.kind === 'ServiceMonitor')).toBe(false);
    const [monitor] = render([
      '--set',
      'metrics.serviceMonitor.enabled=true',
      '--set',
      'metrics.serviceMonitor.labels.release=prometheus',
    ]).filter((m) => m.kind === 'ServiceMonitor');
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: 'http', path: '/metrics', interval: '30s' }),
    ]);
    expect(monitor.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'cvp',
      'app.kubernetes.io/instance': 'cvp',
    });
    expect((monitor.metadata as unknown as { labels: Record<string, string> }).labels.release).toBe('prometheus');
  });

  it("caps V8's heap at about half of each container's memory limit, and leaves node's default on 0", () => {
    const argsOf = (manifests: Manifest[], name: string) =>
      manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === `cvp-${name}`)!.spec.template.spec
        .containers[0].args;
    const manifests = render();
    expect(argsOf(manifests, 'scorer')).toEqual(['--max-old-space-size=256', 'dist/apps/scorer/src/main.js']);
    expect(argsOf(manifests, 'trainer')).toEqual(['--max-old-space-size=2048', 'dist/apps/trainer/src/main.js']);
    expect(argsOf(render(['--set', 'services.scorer.maxOldSpaceMiB=0']), 'scorer')).toEqual([
      'dist/apps/scorer/src/main.js',
    ]);
  });

  it('scales a consumer on its lag with a KEDA ScaledObject (within the partitions), and points services at a Redis Cluster', () => {
    const lag = [
      '--set',
      'services.scorer.autoscaling.enabled=true',
      '--set',
      'services.scorer.autoscaling.lag.enabled=true',
    ];
    const manifests = render([...lag, '--set', 'redis.cluster=true']);
    const scaled = manifests.find((m) => m.kind === 'ScaledObject');
    expect(scaled?.metadata.name).toBe('cvp-scorer');
    expect(scaled?.spec).toMatchObject({
      scaleTargetRef: { name: 'cvp-scorer' },
      minReplicaCount: 2,
      maxReplicaCount: 6,
    });
    expect(scaled?.spec.triggers[0]).toMatchObject({
      type: 'kafka',
      metadata: {
        consumerGroup: 'cvp-scorer',
        topic: 'cvp.features.v1',
        lagThreshold: '5000',
        allowIdleConsumers: 'false',
      },
    });
    // KEDA owns the HPA: the chart renders none of its own for that service.
    expect(manifests.some((m) => m.kind === 'HorizontalPodAutoscaler' && m.metadata.name === 'cvp-scorer')).toBe(false);
    const config = manifests.find((m) => m.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    expect(config.data.REDIS_CLUSTER).toBe('true');
    expect(() => render([...lag, '--set', 'services.scorer.autoscaling.maxReplicas=8'])).toThrow(
      /at most 6, the partitions/,
    );
    expect(() =>
      render([
        '--set',
        'services.ingest.autoscaling.enabled=true',
        '--set',
        'services.ingest.autoscaling.lag.enabled=true',
      ]),
    ).toThrow(/consumes nothing/);
    // Lag scaling for every service: the consumers scale on their lag, ingest and the console keep a CPU HPA.
    const everywhere = render([
      '--set',
      'serviceDefaults.autoscaling.enabled=true',
      '--set',
      'serviceDefaults.autoscaling.lag.enabled=true',
    ]);
    const namesOf = (kind: string) =>
      everywhere
        .filter((m) => m.kind === kind)
        .map((m) => m.metadata.name)
        .sort();
    expect(namesOf('HorizontalPodAutoscaler')).toEqual(['cvp-console', 'cvp-ingest']);
    expect(namesOf('ScaledObject')).not.toContain('cvp-console');
  });

  it('drops a disabled service', () => {
    const names = render(['--set', 'services.campaigns.enabled=false'])
      .filter((m) => m.kind === 'Deployment')
      .map((d) => d.metadata.name);
    expect(names).not.toContain('cvp-campaigns');
  });
});
