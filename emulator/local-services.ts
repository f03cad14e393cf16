import { join } from "node:path";
import type { Logger } from "pino";
import type { Delivery } from "./messages/message-store";
import { startCloudApi } from "./cloud-api/server";
import { type Faults, noFaults } from "./faults";
import { type LocalServices, localSecrets } from "./local-environment";
import { MessageStore } from "./messages/message-store";
import { startCarrierSandbox } from "./sandbox/carrier-api";
import { startPaymentSandbox } from "./sandbox/payment-api";
import type { SandboxServer } from "./sandbox/http-util";

export interface ServicePorts {
  apiPort: number;
  paymentPort: number;
  carrierPort: number;
}

export interface RunningServices {
  services: LocalServices;
  store: MessageStore;
  payment: SandboxServer;
  carrier: SandboxServer;
  close(): Promise<void>;
}

/**
 * Starts what the functions call: the message store behind the Tencent
 * Cloud API, and the payment and carrier sandboxes, with fresh secrets.
 * `onPublish` receives the deliveries of each stored message; `faults`
 * can make the cloud API refuse publishes.
 */
export async function startLocalServices(
  dataDir: string,
  ports: ServicePorts,
  logger: Logger,
  onPublish?: (deliveries: Delivery[]) => void,
  faults: Faults = noFaults(),
): Promise<RunningServices> {
  const secrets = localSecrets();
  const store = MessageStore.open(join(dataDir, "messages.db"));
  const closers: Array<() => Promise<void> | void> = [() => store.close()];
  const close = async () => {
    for (const closer of closers.splice(0)) await closer();
  };

  try {
    const cloudApi = await startCloudApi({
      port: ports.apiPort,
      store,
      credentials: {
        [secrets.credentials.secretId]: secrets.credentials.secretKey,
      },
      onPublish,
      faults: { refusePublish: () => faults.refusePublish },
      logger: logger.child({ component: "cloud-api" }),
    });
    closers.unshift(() => cloudApi.close());

    const payment = await startPaymentSandbox({
      port: ports.paymentPort,
      dbPath: join(dataDir, "payment-sandbox.db"),
      apiKey: secrets.paymentApiKey,
      logger: logger.child({ component: "payment-sandbox" }),
    });
    closers.unshift(() => payment.close());

    const carrier = await startCarrierSandbox({
      port: ports.carrierPort,
      dbPath: join(dataDir, "carrier-sandbox.db"),
      apiKey: secrets.carrierApiKey,
      logger: logger.child({ component: "carrier-sandbox" }),
    });
    closers.unshift(() => carrier.close());

    const services: LocalServices = {
      ...secrets,
      cloudApiUrl: cloudApi.url,
      paymentUrl: payment.url,
      carrierUrl: carrier.url,
    };
    return { services, store, payment, carrier, close };
  } catch (error) {
    await close();
    throw error;
  }
}
