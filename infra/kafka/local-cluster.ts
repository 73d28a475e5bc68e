/**
 * A several-node KRaft cluster on this machine, from the same jars as the single broker.
 *
 *   ports ─────── one broker and one controller port per node, free ones, kept in cluster.json
 *        │        (KRaft metadata records the controller addresses, so a reused folder keeps them)
 *   format ────── every node's folder with the same cluster id (once)
 *        │
 *   start ─────── every node at once: none is ready before a majority of controllers has a leader
 *
 * Each node is broker and controller, and all of them vote; so three nodes keep working with one
 * lost. A node can be killed and restarted alone (tests of a broker lost mid-load). Each node's
 * folder lock is held here for the cluster's life, so a restart never races another start.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { acquireBrokerLock, type BrokerLock } from './broker-lock.js';
import { createKafkaBus } from './kafkajs-bus.js';
import {
  type ClusterNode,
  ensureKafkaJars,
  freePort,
  type LocalKafka,
  LocalKafkaError,
  newClusterId,
  startLocalKafka,
} from './local-kafka.js';

export interface LocalClusterOptions {
  /** Folder for the cluster: one sub-folder per node. */
  readonly dataDir: string;
  /** Nodes (each a broker and a controller); 3 keeps working with one lost. */
  readonly size: number;
  readonly cacheDir?: string;
  readonly startTimeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface LocalKafkaCluster {
  /** Every node's broker address (clients take the whole list and find the rest themselves). */
  readonly brokers: string[];
  readonly size: number;
  /** The node's broker address, and whether it runs. */
  node(nodeId: number): { readonly broker: string; readonly running: boolean; readonly pid: number | undefined };
  /** SIGKILL one node (no controlled shutdown), and wait until it is gone. */
  kill(nodeId: number): Promise<void>;
  /** Start a stopped or killed node again on its folder and ports. */
  restart(nodeId: number): Promise<void>;
  /** SIGTERM every node (controlled shutdown) and wait for them. */
  stop(): Promise<void>;
}

interface ClusterFile {
  readonly clusterId: string;
  readonly nodes: { readonly nodeId: number; readonly port: number; readonly controllerPort: number }[];
}

async function clusterFile(dataDir: string, size: number): Promise<ClusterFile> {
  const file = join(dataDir, 'cluster.json');
  if (existsSync(file)) {
    const known = JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
    if (known.nodes.length !== size) {
      throw new LocalKafkaError(
        `${dataDir} holds a ${known.nodes.length}-node cluster, not ${size}: use another folder or --brokers ${known.nodes.length}.`,
      );
    }
    return known;
  }
  const nodes = [];
  // Distinct free ports: each is taken and released in turn, so ask until none repeats.
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  for (let nodeId = 1; nodeId <= size; nodeId++)
    nodes.push({ nodeId, port: await next(), controllerPort: await next() });
  const made: ClusterFile = { clusterId: newClusterId(), nodes };
  writeFileSync(file, JSON.stringify(made, null, 2));
  return made;
}

export async function startLocalKafkaCluster(options: LocalClusterOptions): Promise<LocalKafkaCluster> {
  if (!Number.isInteger(options.size) || options.size < 1 || options.size > 9) {
    throw new LocalKafkaError(`A local cluster has 1 to 9 nodes, not ${options.size}.`);
  }
  const progress = options.onProgress ?? (() => {});
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  progress(`fetching the Apache Kafka jars (cached after the first run)`);
  ensureKafkaJars(options.cacheDir);
  const layout = await clusterFile(dataDir, options.size);
  const voters = layout.nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const folderOf = (nodeId: number) => join(dataDir, `node-${nodeId}`);
  const locks = new Map<number, BrokerLock>();
  const running = new Map<number, LocalKafka>();

  const startNode = async (nodeId: number) => {
    const spec = layout.nodes.find((n) => n.nodeId === nodeId);
    if (!spec) throw new LocalKafkaError(`The cluster has no node ${nodeId}.`);
    const folder = folderOf(nodeId);
    mkdirSync(folder, { recursive: true });
    let lock = locks.get(nodeId);
    if (!lock) {
      lock = await acquireBrokerLock(folder, { onWait: progress });
      locks.set(nodeId, lock);
    }
    const node: ClusterNode = {
      nodeId,
      controllerPort: spec.controllerPort,
      voters,
      clusterId: layout.clusterId,
      size: layout.nodes.length,
    };
    const kafka = await startLocalKafka({
      dataDir: folder,
      port: spec.port,
      lock,
      node,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      startTimeoutMs: options.startTimeoutMs ?? 180_000,
      onProgress: (m) => progress(`node ${nodeId}: ${m}`),
    });
    running.set(nodeId, kafka);
    void kafka.exited.then(() => {
      if (running.get(nodeId) === kafka) running.delete(nodeId);
    });
  };

  const stopNode = async (nodeId: number) => {
    const kafka = running.get(nodeId);
    running.delete(nodeId);
    await kafka?.stop();
  };

  try {
    await Promise.all(layout.nodes.map((n) => startNode(n.nodeId)));
  } catch (error) {
    await Promise.all(layout.nodes.map((n) => stopNode(n.nodeId).catch(() => {})));
    for (const lock of locks.values()) lock.release();
    throw error;
  }
  // Every node is up; the metadata a client reads may list one only a moment later, and a client
  // that creates its topics then would derive too few copies from it.
  const brokers = layout.nodes.map((n) => `127.0.0.1:${n.port}`);
  const probe = createKafkaBus({ brokers, clientId: 'local-cluster-probe', logger: pino({ level: 'silent' }) });
  const registeredBy = Date.now() + 60_000;
  while ((await probe.brokerCount()) < layout.nodes.length) {
    if (Date.now() > registeredBy) throw new LocalKafkaError('the cluster did not list all its nodes within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    brokers,
    size: layout.nodes.length,
    node(nodeId) {
      const spec = layout.nodes.find((n) => n.nodeId === nodeId);
      if (!spec) throw new LocalKafkaError(`The cluster has no node ${nodeId}.`);
      const kafka = running.get(nodeId);
      return { broker: `127.0.0.1:${spec.port}`, running: kafka !== undefined, pid: kafka?.pid };
    },
    async kill(nodeId) {
      const kafka = running.get(nodeId);
      if (!kafka) return;
      process.kill(kafka.pid, 'SIGKILL');
      await kafka.exited;
      // Releases nothing (the lock is the cluster's): only forgets the process.
      await stopNode(nodeId);
    },
    async restart(nodeId) {
      if (running.has(nodeId)) return;
      await startNode(nodeId);
    },
    async stop() {
      await Promise.all([...running.keys()].map((id) => stopNode(id)));
      for (const lock of locks.values()) lock.release();
      locks.clear();
    },
  };
}
