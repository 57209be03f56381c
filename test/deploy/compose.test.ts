/**
 * The production topology in docker-compose.yml, checked without a Docker engine:
 * - `docker-compose config` (Debian's docker-compose package) must accept the file with the
 *   secrets set and refuse it without SMTP_URL (no mail host is invented);
 * - the invariants of Temporal's own production samples, read from the parsed file: the plain
 *   server image with 512 history shards, schemas set up by an admin-tools job on a role of
 *   Temporal's own, namespace with explicit retention, search attributes registered by a job
 *   before the api and worker start, healthchecks behind every `service_healthy`, nothing of
 *   Temporal published beyond the host's localhost, a load balancer in front of a scaled api.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../../scripts/lib/temporal-server';
import { ensureDebianPackage } from '../harness/debian-package';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  deploy?: { replicas?: number };
}

const compose = parse(fs.readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const read = (relative: string) => fs.readFileSync(path.join(ROOT, relative), 'utf8');
/** Host-side file of a `./host:/container` bind mount whose container path is `target`. */
function mountedFile(service: Service, target: string): string {
  const mount = (service.volumes ?? []).find((v) => v.split(':')[1] === target);
  if (!mount) throw new Error(`no volume mounted at ${target}`);
  return read(mount.split(':')[0]);
}
/** The script a one-shot admin-tools job runs (its command names a file under /deploy). */
function jobScript(name: string): string {
  const service = services[name];
  const command = ([] as string[]).concat(service.command ?? []);
  const script = command.find((part) => part.startsWith('/deploy/'));
  if (!script) throw new Error(`${name} runs no /deploy script`);
  const mount = (service.volumes ?? []).find((v) => v.split(':')[1] === '/deploy');
  if (!mount) throw new Error(`${name} does not mount /deploy`);
  return read(path.join(mount.split(':')[0], script.slice('/deploy/'.length)));
}
const dependsOn = (name: string) => services[name].depends_on as Record<string, { condition: string }>;

const SECRETS = {
  POSTGRES_PASSWORD: 'pg-secret',
  BOOKING_DB_PASSWORD: 'booking-secret',
  TEMPORAL_DB_PASSWORD: 'temporal-secret',
  ADMIN_API_KEY: 'admin-secret',
  CALENDAR_SECRET_KEY: 'ab'.repeat(32),
  PUBLIC_BASE_URL: 'https://book.example.com',
  SELF_SERVICE_SECRET: 'self-service-secret',
  SMTP_URL: 'smtp://relay.example.com:587',
  GRAFANA_ADMIN_PASSWORD: 'grafana-secret',
};

function dockerCompose(env: Record<string, string>) {
  ensureDebianPackage('docker-compose', 'docker-compose');
  const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, 'config'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  if (result.error) {
    throw new Error(`docker-compose could not run (${result.error.message})`);
  }
  return result;
}

describe('docker-compose config (no engine needed)', () => {
  it('accepts the file with every secret set and resolves the scaled api', () => {
    const result = dockerCompose(SECRETS);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const resolved = parse(result.stdout) as { services: Record<string, Service> };
    expect(resolved.services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(resolved.services.worker.environment?.SMTP_URL).toBe(SECRETS.SMTP_URL);
    expect(resolved.services.api.environment?.DATABASE_URL).toBe('postgresql://booking:booking-secret@postgresql:5432/booking');
  });

  it.each(Object.keys(SECRETS))('refuses to resolve without %s', (name) => {
    const env: Record<string, string> = { ...SECRETS };
    delete env[name];
    const result = dockerCompose(env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(name);
  });
});

describe('docker-compose.yml follows Temporal production practice', () => {
  it('runs temporalio/server (not the deprecated auto-setup) with 512 history shards on PostgreSQL', () => {
    const temporal = services.temporal;
    expect(temporal.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(Object.values(services).some((s) => s.image?.includes('auto-setup'))).toBe(false);
    expect(temporal.environment?.NUM_HISTORY_SHARDS).toBe('512');
    expect(temporal.environment?.DB).toBe('postgres12');
    expect(temporal.environment?.POSTGRES_SEEDS).toBe('postgresql');
  });

  it('sets up both Temporal schemas in an admin-tools job the server waits for', () => {
    const job = services['temporal-schema'];
    expect(job.image).toMatch(/^temporalio\/admin-tools:/);
    expect(job.image?.split(':')[1]).toBe(services.temporal.image?.split(':')[1]);
    expect(dependsOn('temporal')['temporal-schema'].condition).toBe('service_completed_successfully');
    expect(dependsOn('temporal-schema').postgresql.condition).toBe('service_healthy');
    const script = jobScript('temporal-schema');
    for (const db of ['temporal', 'temporal_visibility']) {
      expect(script).toMatch(new RegExp(`--db ${db} setup-schema -v 0\\.0`));
      expect(script).toMatch(new RegExp(`--db ${db} update-schema -d /etc/temporal/schema/postgresql/v12/${db === 'temporal' ? 'temporal' : 'visibility'}/versioned`));
    }
  });

  it('gives Temporal and the app PostgreSQL roles of their own, neither the superuser', () => {
    const temporalUser = services.temporal.environment?.POSTGRES_USER;
    expect(temporalUser).toBe('temporal');
    expect(services['temporal-schema'].environment?.POSTGRES_USER).toBe(temporalUser);
    const appUser = /^postgresql:\/\/([^:]+):/.exec(services.api.environment?.DATABASE_URL ?? '')?.[1];
    expect(appUser).toBe('booking');
    const init = mountedFile(services.postgresql, '/docker-entrypoint-initdb.d/10-init-roles.sh');
    expect(init).toMatch(/CREATE ROLE temporal LOGIN CREATEDB PASSWORD/);
    expect(init).toMatch(/CREATE ROLE booking LOGIN PASSWORD/);
    expect(init).toMatch(/CREATE DATABASE booking OWNER booking/);
    expect(init).not.toMatch(/SUPERUSER/);
  });

  it('creates the app namespace with an explicit retention once the cluster is healthy', () => {
    const job = services['temporal-namespace'];
    expect(dependsOn('temporal-namespace').temporal.condition).toBe('service_healthy');
    expect(services.temporal.healthcheck).toBeDefined();
    expect(job.environment?.NAMESPACE).toBe(services.api.environment?.TEMPORAL_NAMESPACE);
    expect(job.environment?.RETENTION).toMatch(/^\$\{TEMPORAL_RETENTION:-\d+h\}$/);
    const script = jobScript('temporal-namespace');
    expect(script).toMatch(/namespace create .*--retention "\$RETENTION"/);
    expect(script).toMatch(/namespace update .*--retention "\$RETENTION"/);
  });

  it('registers exactly the search attributes the dev server has, before the api and worker start', () => {
    const job = services['temporal-search-attributes'];
    expect(dependsOn('temporal-search-attributes')['temporal-namespace'].condition).toBe('service_completed_successfully');
    expect(job.environment?.NAMESPACE).toBe(services.api.environment?.TEMPORAL_NAMESPACE);
    expect((job.environment?.SEARCH_ATTRIBUTES ?? '').split(/\s+/).sort()).toEqual([...SEARCH_ATTRIBUTES].sort());
    expect(jobScript('temporal-search-attributes')).toMatch(/search-attribute create .*--namespace "\$NAMESPACE" --name "\$name" --type Keyword/);
    for (const app of ['api', 'worker']) {
      expect(dependsOn(app)['temporal-search-attributes'].condition).toBe('service_completed_successfully');
      expect(dependsOn(app).migrate.condition).toBe('service_completed_successfully');
      expect(dependsOn(app).redis.condition).toBe('service_healthy');
    }
  });

  it('has a healthcheck behind every service_healthy and a condition on every dependency', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.depends_on) continue;
      expect(Array.isArray(service.depends_on)).toBe(false);
      for (const [target, { condition }] of Object.entries(service.depends_on as Record<string, { condition: string }>)) {
        expect([name, target, condition]).toEqual([name, target, expect.stringMatching(/^service_(healthy|completed_successfully)$/)]);
        if (condition === 'service_healthy') expect([target, services[target].healthcheck]).toEqual([target, expect.anything()]);
      }
    }
  });

  it('publishes neither Temporal port beyond the host localhost, and only the load balancer publicly', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((port) => ({ name, port })));
    for (const { name, port } of published) {
      if (name === 'lb') continue;
      expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
    expect(published.some(({ port }) => /(^|:)7233(:|$)/.test(port))).toBe(false);
    expect(services['temporal-ui'].ports).toEqual(['127.0.0.1:8080:8080']);
    expect(services.lb.ports).toHaveLength(1);
  });

  it('puts a load balancer in front of an api scaled to 2 replicas that publishes no port itself', () => {
    expect(services.api.ports).toBeUndefined();
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(dependsOn('lb').api.condition).toBe('service_healthy');
    const nginx = mountedFile(services.lb, '/etc/nginx/nginx.conf');
    expect(nginx).toMatch(/server api:3000 resolve;/);
    expect(nginx).toMatch(/resolver 127\.0\.0\.11/);
    expect(nginx).toMatch(/proxy_pass http:\/\/api;/);
    // JSON answers are compressed at the edge (the API compresses only availability's cached answers).
    expect(nginx).toMatch(/gzip on;/);
    expect(nginx).toMatch(/gzip_proxied any;/);
    expect(nginx).toMatch(/gzip_types[^;]*application\/json/);
  });

  it('names no mail host that does not exist: SMTP_URL is required, no default', () => {
    const raw = fs.readFileSync(COMPOSE_FILE, 'utf8');
    expect(raw).toMatch(/SMTP_URL: \$\{SMTP_URL:\?/);
    const hosts = [...raw.matchAll(/smtps?:\/\/(?:[^@\s]+@)?([a-z0-9.-]+)/gi)].map((m) => m[1]);
    for (const host of hosts) expect([host, Object.keys(services).includes(host) || host.includes('.')]).toEqual([host, true]);
  });

  it('runs the worker as a Worker Deployment with metrics Prometheus scrapes', () => {
    expect(services.worker.environment?.WORKER_DEPLOYMENT_NAME).toBe('booking');
    const port = services.worker.environment?.WORKER_METRICS_PORT;
    expect(services.worker.expose).toContain(port);
    const prometheus = mountedFile(services.prometheus, '/etc/prometheus/prometheus.yml');
    expect(prometheus).toMatch(new RegExp(`names: \\[worker\\]\\s+type: A\\s+port: ${port}`));
  });

  it('provisions the repository dashboard in Grafana over the Prometheus that scrapes the app', () => {
    const grafana = services.grafana;
    expect(mountedFile(grafana, '/var/lib/grafana/dashboards/booking-dashboard.json')).toBe(read('deploy/grafana/booking-dashboard.json'));
    const datasources = fs.readFileSync(path.join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    expect(datasources).toMatch(/url: http:\/\/prometheus:9090/);
    expect(grafana.ports).toEqual(['127.0.0.1:3001:3000']);
  });

  it('runs the compiled image: node on dist/, never tsx', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const command = ([] as string[]).concat(services[name].command ?? []);
      expect(command[0]).toBe('node');
      expect(command[1]).toMatch(/^dist\/.+\.js$/);
    }
    const dockerfile = read('Dockerfile');
    expect(dockerfile).not.toMatch(/tsx/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/npm run build/);
  });
});
