import {
  mapOf,
  resolveEnvReferences,
  type ServerlessFile,
  toObject,
} from "../deploy/serverless-file";

/** The region multi-scf deploys to when serverless.yml sets none. */
const DEFAULT_REGION = "ap-guangzhou";

/** The TDMQ for CMQ resources serverless.yml needs before a deploy. */
export interface ProvisionPlan {
  region: string;
  /** The region of serverless.yml, which its triggers are created in. */
  configRegion: string;
  /** Topics of the `cmq` triggers, plus dead-letter topics. */
  topics: string[];
  /** Dead-letter queues named by functions' `deadLetter`. */
  queues: string[];
}

function definedValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) values[name] = value;
  }
  return values;
}

function addName(names: string[], value: unknown, where: string): void {
  if (typeof value !== "string" || value.length === 0) {
    throw new Error(`serverless.yml: ${where} must be a non-empty string`);
  }
  if (!names.includes(value)) names.push(value);
}

/**
 * Lists what `npm run provision` creates. The SCF `cmq` trigger subscribes
 * its function to a topic that must already exist, and binds the
 * subscription itself, so only topics are needed for the triggers. A
 * function's `deadLetter` adds its queue, or its topic when the type names
 * a topic. The region is TENCENTCLOUD_REGION, else serverless.yml's.
 */
export function provisionPlan(
  file: ServerlessFile,
  env: NodeJS.ProcessEnv,
): ProvisionPlan {
  const config = toObject(
    resolveEnvReferences(file.document, definedValues(env)),
  );
  const inputs = mapOf(config.inputs);
  const configRegion =
    typeof inputs.region === "string" && inputs.region.length > 0
      ? inputs.region
      : DEFAULT_REGION;
  const topics: string[] = [];
  const queues: string[] = [];

  const triggers = Array.isArray(inputs.triggers) ? inputs.triggers : [];
  triggers.forEach((entry, index) => {
    const trigger = mapOf(entry);
    if (trigger.type !== "cmq") return;
    addName(
      topics,
      mapOf(trigger.parameters).name,
      `triggers[${index}].parameters.name`,
    );
  });

  for (const [key, raw] of Object.entries(mapOf(inputs.functions))) {
    const deadLetter = mapOf(mapOf(raw).deadLetter);
    if (deadLetter.name === undefined) continue;
    const where = `functions.${key}.deadLetter.name`;
    // NOTE: SCF's DeadLetterConfig.Type values are not documented; a type
    // that mentions "topic" is taken to mean a CMQ topic, anything else a queue.
    if (/topic/i.test(String(deadLetter.type ?? ""))) {
      addName(topics, deadLetter.name, where);
    } else {
      addName(queues, deadLetter.name, where);
    }
  }

  return {
    region: env.TENCENTCLOUD_REGION || configRegion,
    configRegion,
    topics,
    queues,
  };
}
