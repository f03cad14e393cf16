import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  credentialsFromEnv,
  MissingCredentialsError,
} from "./deploy/credentials";
import { readServerlessFile } from "./deploy/serverless-file";
import {
  ensureDeadLetterQueue,
  ensureTopic,
  type Outcome,
  ProvisionError,
} from "./provision/ensure";
import { provisionPlan } from "./provision/plan";
import { createTdmqClient, tdmqEndpointOf } from "./provision/tdmq-client";

const USAGE = `Usage: npm run provision -- [options]

Creates the TDMQ for CMQ topics that serverless.yml's cmq triggers need,
and the dead-letter queues its functions name. Resources that exist are
left as they are, so running it again creates nothing.

Options:
  --config FILE   the serverless.yml to read (default: ./serverless.yml)
  -h, --help      show this help

Variables:
  TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY  credentials (or
                  TENCENT_SECRET_ID and TENCENT_SECRET_KEY)
  TENCENTCLOUD_REGION  region (default: serverless.yml's region)
  TDMQ_API_URL    TDMQ API endpoint (default: https://tdmq.tencentcloudapi.com)
`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    err(`provision: ${(error as Error).message}\n`);
    err(USAGE);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }

  const root = resolve(__dirname, "..");
  const file = readServerlessFile(
    resolve(args.config ?? join(root, "serverless.yml")),
  );
  const plan = provisionPlan(file, process.env);
  const credentials = credentialsFromEnv(process.env);
  const target = tdmqEndpointOf(process.env.TDMQ_API_URL);
  const client = createTdmqClient(credentials, plan.region, target);

  out(`provision: region ${plan.region}, TDMQ API ${target.url}`);
  if (plan.region !== plan.configRegion) {
    err(
      `warning: TENCENTCLOUD_REGION is ${plan.region} but serverless.yml deploys to ${plan.configRegion}, where its cmq triggers look for their topics`,
    );
  }

  let created = 0;
  const report = (kind: string, name: string, outcome: Outcome) => {
    if (outcome === "created") {
      created += 1;
      out(`created ${kind} ${name}`);
    } else {
      out(`${kind} ${name} exists`);
    }
  };
  for (const topic of plan.topics) {
    report("topic", topic, await ensureTopic(client, topic));
  }
  for (const queue of plan.queues) {
    report("queue", queue, await ensureDeadLetterQueue(client, queue));
  }

  const total = plan.topics.length + plan.queues.length;
  if (created === 0) {
    out(`provision: nothing to create, all ${total} resources exist`);
  } else {
    out(`provision: created ${created} of ${total} resources`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known =
      error instanceof ProvisionError ||
      error instanceof MissingCredentialsError;
    err(`provision failed: ${(error as Error).message}`);
    if (!known && error instanceof Error && error.stack) err(error.stack);
    process.exitCode = 1;
  },
);
