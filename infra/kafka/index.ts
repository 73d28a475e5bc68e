export {
  acquireBrokerLock,
  type BrokerHolder,
  type BrokerLock,
  BrokerLockedError,
  brokerHolder,
  isAlive,
} from './broker-lock.js';
export {
  BusUnavailableError,
  type ConsumerOptions,
  createKafkaBus,
  type KafkaBus,
  replicationFor,
} from './kafkajs-bus.js';
export { type LocalClusterOptions, type LocalKafkaCluster, startLocalKafkaCluster } from './local-cluster.js';
export {
  type BrokerExit,
  ensureKafkaJars,
  freePort,
  KAFKA_VERSION,
  type LocalKafka,
  LocalKafkaError,
  startLocalKafka,
} from './local-kafka.js';
