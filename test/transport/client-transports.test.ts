// The ClientTransport contract (client-transport-suite.ts) for each implementation.
import { HttpClientTransport, FetchClientTransport } from "../../src/transport/index.js";
import { silentLogger } from "../../src/logger.js";
import { clientTransportContract } from "./client-transport-suite.js";

clientTransportContract(
  "HttpClientTransport",
  (serviceName, options = {}) => new HttpClientTransport({ serviceName, ...options, logger: silentLogger }),
);
clientTransportContract(
  "FetchClientTransport",
  (serviceName, options = {}) =>
    new FetchClientTransport({ baseUrl: `http://${serviceName}`, ...options, logger: silentLogger }),
);
