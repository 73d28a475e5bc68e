export { BusUnavailableError, createKafkaBus, type KafkaBus } from './kafkajs-bus.js';
export {
  ensureKafkaJars,
  freePort,
  KAFKA_VERSION,
  type LocalKafka,
  LocalKafkaError,
  startLocalKafka,
} from './local-kafka.js';
