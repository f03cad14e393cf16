import { join } from "node:path";
import type { Logger } from "pino";
import type { ServerlessConfig } from "./config/serverless-config";
import {
  type Delivery,
  MessageStore,
  MessageStoreError,
} from "./messages/message-store";
import { startCloudApi } from "./cloud-api/server";
import { type Faults, noFaults } from "./faults";
import { type LocalServices, localSecrets } from "./local-environment";
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

/**
 * Creates each enabled CMQ trigger's topic and its subscription to the
 * function, as deploying the trigger does in the cloud. Existing topics and
 * subscriptions stay as they are, and disabled triggers get neither.
 */
export function ensureSubscriptions(
  store: MessageStore,
  config: Pick<ServerlessConfig, "cmqTriggers">,
  logger: Logger,
): void {
  for (const trigger of config.cmqTriggers) {
    if (!trigger.enabled) {
      logger.warn(
        { functionKey: trigger.functionKey, topicName: trigger.topicName },
        "CMQ trigger is disabled because it lacks enable: true; SCF would create it disabled too",
      );
      continue;
    }
    ignoreExisting(() => store.createTopic(trigger.topicName));
    ignoreExisting(() =>
      store.createSubscription({
        topicName: trigger.topicName,
        subscriptionName: `scf-${trigger.functionKey}`,
        protocol: "scf",
        endpoint: trigger.functionKey,
        filterTags: trigger.filterTags,
      }),
    );
  }
}

function ignoreExisting(create: () => unknown): void {
  try {
    create();
  } catch (error) {
    if (!(error instanceof MessageStoreError && error.code === "exists"))
      throw error;
  }
}
