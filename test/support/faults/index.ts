export { Shop, Service, type ServiceName, type ShopOptions } from './shop';
export { FaultProxy, type ProxyMode } from './proxy';
export { RedisChild } from './redis';
export { eventually, freePort, sleep, until } from './util';
export { FakeAlipay } from './fake-alipay';
