import { z } from "zod";
import { parseCron } from "../../emulator/timers/cron";
import { isVariable } from "./variables";

/*
 * Error texts in this file are noun phrases naming the expected value, such
 * as "an integer from 1 to 900 (seconds)". The report builds sentences
 * around them.
 *
 * The inputs of Tencent's `multi-scf` component (tencent-multi-scf v0.3.14:
 * src/interface/inputs.ts, src/formatter.ts, docs/configure.md,
 * serverless.component.yml) and the keys the component's deploy library
 * reads from each function and trigger (tencent-component-toolkit:
 * src/modules/scf/utils.ts, src/modules/triggers/*.ts).
 *
 * The formatter spreads the shared `inputs` settings into every function and
 * passes each function object to the toolkit, so both levels accept the
 * function settings. Objects are strict wherever that code reads a fixed set
 * of keys. API items of an apigw trigger are not, because the toolkit's
 * ApiEndpoint type takes any key.
 */

/** Runtimes SCF offers. */
// Sources: CreateFunction's Runtime list in tencentcloud-sdk-nodejs 4.1.313
// (scf v20180416), the multi-scf 0.3.14 manifest (Php5, Php7, Java11) and
// SCF's Node.js page (tencentcloud.com/document/product/583/11060, 2025-10),
// which lists Node.js 20.19.
// NOTE: "Nodejs20.19" is the spelling Tencent's CloudBase tooling uses; no
// API reference that lists it was found. The multi-scf 0.3.14 manifest
// allows runtimes only up to Nodejs16.13, so whether the hosted component
// accepts Nodejs18.15 or Nodejs20.19 is not confirmed.
export const SCF_RUNTIMES = [
  "Nodejs6.10",
  "Nodejs8.9",
  "Nodejs10.15",
  "Nodejs12.16",
  "Nodejs14.18",
  "Nodejs16.13",
  "Nodejs18.15",
  "Nodejs20.19",
  "Python2.7",
  "Python3.6",
  "Python3.7",
  "Python3.9",
  "Python3.10",
  "Php5",
  "Php5.6",
  "Php7",
  "Php7.4",
  "Php8.0",
  "Go1",
  "Java8",
  "Java11",
  "CustomRuntime",
] as const;

/** Regions allowed by the multi-scf 0.3.14 manifest (serverless.component.yml). */
export const MULTI_SCF_REGIONS = [
  "ap-beijing",
  "ap-chengdu",
  "ap-chongqing",
  "ap-guangzhou",
  "ap-hongkong",
  "ap-mumbai",
  "ap-seoul",
  "ap-shanghai",
  "ap-shanghai-fsi",
  "ap-shenzhen-fsi",
  "ap-singapore",
  "ap-tokyo",
  "eu-frankfurt",
  "na-siliconvalley",
  "na-toronto",
] as const;

/** Trigger types the toolkit's TriggerManager creates for multi-scf. */
export const TRIGGER_TYPES = [
  "apigw",
  "http",
  "cmq",
  "ckafka",
  "timer",
  "cos",
  "cls",
  "mps",
] as const;

/** A value the CLI substitutes at deploy time, such as `${env:TIMEOUT}`. */
const variable = z.custom<string>(isVariable, { error: "a variable" });

/**
 * Accepts a whole-value variable in place of a number or boolean, because
 * its value is only known at deploy time. The real schema comes last: the
 * report reads a failed union from its last option.
 */
function orVariable<T extends z.ZodType>(schema: T) {
  return z.union([variable, schema]);
}

/** Returns a schema for an integer from `minimum` to `maximum` (no maximum when undefined). */
function integer(minimum: number, maximum?: number, unit = "") {
  const expected =
    maximum === undefined
      ? `an integer of at least ${minimum}${unit}`
      : `an integer from ${minimum} to ${maximum}${unit}`;
  return orVariable(
    z
      .number({ error: expected })
      .refine(
        (value) =>
          Number.isInteger(value) &&
          value >= minimum &&
          (maximum === undefined || value <= maximum),
        { error: expected },
      ),
  );
}

function boolean() {
  return orVariable(z.boolean({ error: "true or false" }));
}

function nonEmptyString(what: string) {
  const expected = `a non-empty string (${what})`;
  return z
    .string({ error: expected })
    .refine((value) => value.trim() !== "", { error: expected });
}

/** CreateFunction's MemorySize rule (tencentcloud-sdk-nodejs scf v20180416). */
const MEMORY_SIZES = "64, or 128 to 3072 in steps of 128 (MB)";
const memorySize = orVariable(
  z
    .number({ error: MEMORY_SIZES })
    .refine(
      (value) =>
        value === 64 || (value >= 128 && value <= 3072 && value % 128 === 0),
      { error: MEMORY_SIZES },
    ),
);

const runtime = orVariable(
  z.enum(SCF_RUNTIMES, {
    error: `an SCF runtime: one of ${SCF_RUNTIMES.join(", ")}`,
  }),
);

const keyValue = z.strictObject({
  key: nonEmptyString("the variable name"),
  // A YAML `value:` with nothing after it is null, which the toolkit turns
  // into the string "null".
  value: z.union([z.string(), z.number(), z.boolean()], {
    error: (issue) =>
      issue.input === null
        ? 'a string; write value: "" for an empty string'
        : "a string",
  }),
});

const environments = z.array(keyValue, {
  error: "a list of {key, value} items",
});

/**
 * The legacy `environment: {variables: {...}}` form. The schema accepts its
 * shape; the trap check reports that multi-scf replaces it.
 */
const legacyEnvironment = z.object({
  variables: z.record(z.string(), z.unknown()).optional(),
});

const vpc = z.strictObject({
  vpcId: z.string().optional(),
  subnetId: z.string().optional(),
});

/** Settings of one function, also accepted once at `inputs` for all of them. */
const functionSettings = {
  type: z.enum(["event", "web"], { error: "event or web" }).optional(),
  runtime: runtime.optional(),
  memorySize: memorySize.optional(),
  timeout: integer(1, 900, " (seconds)").optional(),
  initTimeout: integer(3, 300, " (seconds)").optional(),
  description: z.string().optional(),
  namespace: z.string().optional(),
  role: z.string().optional(),
  nodeType: z.enum(["CPU", "GPU"], { error: "CPU or GPU" }).optional(),
  nodeSpec: z.string().optional(),
  environments: environments.optional(),
  environment: legacyEnvironment.optional(),
  vpc: vpc.optional(),
  vpcConfig: vpc.optional(),
  cfs: z
    .array(
      z.strictObject({
        cfsId: z.string(),
        mountInsId: z.string().optional(),
        localMountDir: z.string(),
        remoteMountDir: z.string(),
        userGroupId: z.union([z.string(), z.number()]).optional(),
        userId: z.union([z.string(), z.number()]).optional(),
      }),
    )
    .optional(),
  cls: z
    .strictObject({
      logsetId: z.string().optional(),
      topicId: z.string().optional(),
    })
    .optional(),
  tags: z
    .union([z.array(keyValue), z.record(z.string(), z.string())], {
      error: "a list of {key, value} items or a map",
    })
    .optional(),
  layers: z
    .array(
      z.strictObject({
        name: nonEmptyString("the layer name"),
        version: z.number({ error: "a layer version number" }),
      }),
    )
    .optional(),
  deadLetter: z
    .strictObject({
      type: z.string().optional(),
      name: z.string().optional(),
      filterType: z.string().optional(),
    })
    .optional(),
  eip: boolean().optional(),
  publicAccess: boolean().optional(),
  installDependency: boolean().optional(),
  asyncRunEnable: boolean().optional(),
  traceEnable: boolean().optional(),
  // Sent through UpdateFunctionEventInvokeConfig, and only when
  // asyncRunEnable is true (toolkit src/modules/scf/index.ts).
  msgTTL: integer(1, undefined, " (seconds)").optional(),
  retryNum: integer(0).optional(),
  diskSize: z.number().optional(),
  l5Enable: boolean().optional(),
  protocolType: z.string().optional(),
  protocolParams: z
    .object({ wsParams: z.object({ idleTimeOut: z.number() }).partial() })
    .partial()
    .optional(),
  instanceConcurrencyConfig: z
    .strictObject({
      enable: boolean(),
      dynamicEnabled: boolean().optional(),
      maxConcurrency: z.number().optional(),
    })
    .optional(),
};

/** SCF function names: letters, digits, `_` and `-`, 2-60 characters. */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/;

/** `file.export`, where the file may sit in a subfolder of the package. */
export const HANDLER = /^(\S+)\.([A-Za-z_$][\w$]*)$/;
const HANDLER_FORM =
  "file.export, such as index.main_handler (file index.js, export main_handler)";

const functionSchema = z.strictObject({
  ...functionSettings,
  handler: z
    .string({ error: HANDLER_FORM })
    .regex(HANDLER, { error: HANDLER_FORM })
    .optional(),
  name: z
    .string()
    .refine((value) => isVariable(value) || FUNCTION_NAME.test(value), {
      error:
        "2-60 letters, digits, _ or -, starting with a letter and ending with a letter or digit",
    })
    .optional(),
  src: z.string().optional(),
  image: z
    .strictObject({
      imageUrl: nonEmptyString("the image URL"),
      registryId: z.string().optional(),
      imageType: z
        .enum(["personal", "enterprise", "public"], {
          error: "personal, enterprise or public",
        })
        .optional(),
      command: z.string().optional(),
      args: z.string().optional(),
    })
    .optional(),
});

const srcSchema = z.union(
  [
    nonEmptyString("the code directory"),
    z.strictObject({
      src: nonEmptyString("the code directory").optional(),
      exclude: z.array(z.string()).optional(),
      bucket: z.string().optional(),
      object: z.string().optional(),
    }),
  ],
  { error: "a directory path or a map {src, exclude}" },
);

const qualifier = z.string().optional();
const enable = boolean().optional();
const functionKey = nonEmptyString("a key of inputs.functions");

const cronExpression = z
  .string({ error: "a 7-field cron expression" })
  .superRefine((value, context) => {
    if (isVariable(value)) return;
    try {
      parseCron(value);
    } catch (cause) {
      context.addIssue({
        code: "custom",
        message: (cause as Error).message,
        params: {
          fix: 'SCF timers take 7 fields: second minute hour day-of-month month day-of-week year, as in "0 */5 * * * * *" (every 5 minutes).',
        },
      });
    }
  });

const stringList = z.union([z.string(), z.array(z.string())]);

const apiItem = z.looseObject({
  path: z
    .string({ error: "a path such as /orders" })
    .refine((value) => value.startsWith("/"), {
      error: "a path starting with /",
    }),
  // NOTE: API Gateway's method list comes from the tencent-scf docs; the
  // toolkit passes the value through unchecked.
  method: z
    .enum(["ANY", "GET", "HEAD", "POST", "PUT", "DELETE"], {
      error: "ANY, GET, HEAD, POST, PUT or DELETE",
    })
    .optional(),
  function: functionKey,
  enableCORS: boolean().optional(),
  serviceTimeout: integer(1, undefined, " (seconds)").optional(),
  isBase64Encoded: boolean().optional(),
});

const triggerSchemas = [
  z.strictObject({
    type: z.literal("apigw"),
    // The formatter routes each API by its own `function`; this one is unused.
    function: z.string().optional(),
    namespace: z.string().optional(),
    parameters: z.strictObject({
      name: z.string().optional(),
      id: z.string().optional(),
      serviceName: z.string().optional(),
      serviceId: z.string().optional(),
      description: z.string().optional(),
      serviceDesc: z.string().optional(),
      protocols: z
        .union([
          z.array(z.enum(["http", "https"], { error: "http or https" })),
          z.string(),
        ])
        .optional(),
      netTypes: z
        .array(z.enum(["OUTER", "INNER"], { error: "OUTER or INNER" }))
        .optional(),
      environment: z
        .enum(["release", "test", "prepub"], {
          error: "release, test or prepub",
        })
        .optional(),
      apis: z
        .array(apiItem, { error: "a list of APIs" })
        .min(1, { error: "a list of at least one API" }),
      qualifier,
      customDomains: z.array(z.unknown()).optional(),
      usagePlan: z.unknown().optional(),
      auth: z.unknown().optional(),
      tags: z.unknown().optional(),
      instanceId: z.string().optional(),
      isAutoRelease: boolean().optional(),
    }),
  }),
  z.strictObject({
    type: z.literal("http"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z
      .strictObject({
        name: z.string().optional(),
        qualifier,
        authType: z.enum(["NONE", "CAM"], { error: "NONE or CAM" }).optional(),
        netConfig: z
          .strictObject({
            enableIntranet: boolean().optional(),
            enableExtranet: boolean().optional(),
          })
          .optional(),
        corsConfig: z
          .strictObject({
            enable: boolean().optional(),
            origins: stringList.optional(),
            methods: stringList.optional(),
            headers: stringList.optional(),
            exposeHeaders: stringList.optional(),
            credentials: boolean().optional(),
            maxAge: z.number().optional(),
          })
          .optional(),
      })
      .optional(),
  }),
  z.strictObject({
    type: z.literal("cmq"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z.strictObject({
      name: nonEmptyString("the CMQ topic name"),
      enable,
      qualifier,
      // The toolkit always sends filterType 1 (tags) and ignores this one.
      filterType: z.union([z.literal(1), z.literal(2)]).optional(),
      filterKey: z.array(z.string()).optional(),
    }),
  }),
  z.strictObject({
    type: z.literal("ckafka"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z.strictObject({
      name: nonEmptyString("the CKafka instance"),
      topic: nonEmptyString("the CKafka topic"),
      instanceId: z.string().optional(),
      maxMsgNum: integer(1, 10000).optional(),
      offset: z
        .enum(["latest", "earliest", "timestamp"], {
          error: "latest, earliest or timestamp",
        })
        .optional(),
      retry: integer(0).optional(),
      timeout: integer(1, 60, " (seconds)").optional(),
      consumerGroupName: z.string().optional(),
      enable,
      qualifier,
    }),
  }),
  z.strictObject({
    type: z.literal("timer"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z.strictObject({
      name: nonEmptyString("the trigger name"),
      cronExpression,
      enable,
      qualifier,
      argument: z
        .union([z.string(), z.record(z.string(), z.unknown())])
        .optional(),
    }),
  }),
  z.strictObject({
    type: z.literal("cos"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z.strictObject({
      bucket: nonEmptyString("the bucket"),
      events: nonEmptyString("the COS event type"),
      filter: z
        .strictObject({
          prefix: z.string().optional(),
          suffix: z.string().optional(),
        })
        .optional(),
      enable,
      qualifier,
    }),
  }),
  z.strictObject({
    type: z.literal("cls"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z.strictObject({
      topicId: nonEmptyString("the CLS topic ID"),
      maxWait: z.number().optional(),
      maxSize: z.number().optional(),
      enable,
      qualifier,
    }),
  }),
  z.strictObject({
    type: z.literal("mps"),
    function: functionKey,
    namespace: z.string().optional(),
    parameters: z.strictObject({
      type: nonEmptyString("the MPS event type"),
      enable,
      qualifier,
    }),
  }),
] as const;

const triggerSchema = z.discriminatedUnion("type", triggerSchemas);

const inputsSchema = z.strictObject({
  ...functionSettings,
  src: srcSchema,
  region: z
    .enum(MULTI_SCF_REGIONS, {
      error: `a region multi-scf deploys to: one of ${MULTI_SCF_REGIONS.join(", ")}`,
    })
    .optional(),
  functions: z
    .record(z.string(), functionSchema, {
      error: "a map from function key to function settings",
    })
    .refine((functions) => Object.keys(functions).length > 0, {
      error: "a map with at least one function",
    }),
  triggers: z.array(triggerSchema, { error: "a list of triggers" }).optional(),
  ignoreTriggers: boolean().optional(),
  isAutoPublish: boolean().optional(),
  publishDescription: z.string().optional(),
});

/** The whole serverless.yml of a multi-scf instance. */
export const serverlessSchema = z.strictObject({
  org: z.string().optional(),
  app: z.string().optional(),
  stage: z.string().optional(),
  // NOTE: `multi-scf@<version>` follows the Serverless Components
  // name@version form, which was not confirmed in a source.
  component: z
    .string({ error: "multi-scf" })
    .refine((value) => /^multi-scf(@\S+)?$/.test(value), {
      error: "multi-scf (the only component this checker knows)",
    }),
  name: nonEmptyString("the instance name"),
  inputs: inputsSchema,
});

export type ServerlessYaml = z.infer<typeof serverlessSchema>;
