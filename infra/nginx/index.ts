export {
  EXAMPLE_CONF,
  type LocalNginx,
  LocalNginxError,
  NGINX,
  renderReadersConf,
  startLocalNginx,
} from './local-nginx.js';
