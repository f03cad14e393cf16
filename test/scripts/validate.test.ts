import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { bundleFunctions } from "../../scripts/bundle-functions";
import { formatReport } from "../../scripts/validate/report";
import {
  exitCode,
  validateServerlessFile,
  validateServerlessSource,
  type ValidateOptions,
  type ValidationResult,
} from "../../scripts/validate/validate-file";

const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "serverless");

interface Checked {
  result: ValidationResult;
  /** The report exactly as the CLI prints it. */
  report: string;
  /** The fixture path as printed in the report. */
  file: string;
}

function check(name: string, options: ValidateOptions = {}): Checked {
  const file = relative(process.cwd(), join(FIXTURES, name));
  const result = validateServerlessFile(file, options);
  return {
    result,
    report: formatReport(file, result.problems, result.summary),
    file,
  };
}

function checks(result: ValidationResult): string[] {
  return result.problems.map((problem) => problem.check);
}

describe("validate: valid files", () => {
  test("minimal fixture is valid", () => {
    const { result, report, file } = check("valid.yml");
    expect(exitCode(result)).toBe(0);
    expect(result.problems).toEqual([]);
    expect(report).toBe(
      `${file}: valid, 2 functions, 5 triggers (1 apigw with 1 API, 1 http, 1 cmq, 1 ckafka, 1 timer)\n`,
    );
  });

  test("${env:NAME} variables are not reported", () => {
    const { result } = check("unknown-variable.yml");
    const paths = result.problems.map((problem) => problem.path.join("."));
    expect(paths).not.toContain("inputs.environments.0.value");
    expect(paths).toContain("inputs.environments.1.value");
  });
});

describe("validate: YAML syntax", () => {
  test("tab used for indentation", () => {
    const { result, report, file } = check("tab-indent.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["yaml-syntax"]);
    expect(report).toContain(
      `${file}:8:1: error: inputs.functions.api.handler [yaml-syntax]`,
    );
    expect(report).toContain("Tabs are not allowed as indentation");
  });

  test("missing space after a colon", () => {
    const { result, report, file } = check("missing-space-after-colon.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["yaml-syntax"]);
    expect(report).toContain(
      `${file}:6:11: error: inputs.runtime [yaml-syntax]`,
    );
    expect(report).toContain('missing space after the colon of "runtime:"');
    expect(report).toContain('Write "runtime: Nodejs18.15"');
  });

  test("key indented one column short", () => {
    const { result, report, file } = check("bad-indent.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["yaml-syntax"]);
    expect(report).toContain(
      `${file}:9:1: error: inputs.functions.api.timeout [yaml-syntax]`,
    );
  });

  test("duplicate key", () => {
    const result = validateServerlessSource(
      "app: a\napp: b\ncomponent: multi-scf\nname: n\n",
      FIXTURES,
    );
    expect(exitCode(result)).toBe(1);
    expect(result.problems[0]?.check).toBe("yaml-syntax");
    expect(result.problems[0]?.line).toBe(2);
    expect(result.problems[0]?.message).toContain("Map keys must be unique");
  });

  test("syntax errors skip the schema check", () => {
    const { result } = check("tab-indent.yml");
    expect(result.summary).toBeUndefined();
    expect(result.problems).toHaveLength(1);
  });
});

describe("validate: schema", () => {
  test("unknown key with a suggestion", () => {
    const { result, report, file } = check("unknown-key.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["schema"]);
    expect(report).toContain(
      `${file}:9:7: error: inputs.functions.api.memSize [schema]`,
    );
    expect(report).toContain('unknown key "memSize"');
    expect(report).toContain('Did you mean "memorySize"?');
  });

  test("wrong type", () => {
    const { result, report, file } = check("wrong-type.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["schema"]);
    expect(report).toContain(
      `${file}:9:16: error: inputs.functions.api.timeout [schema]`,
    );
    expect(report).toContain(
      'timeout is "ten seconds"; expected an integer from 1 to 900 (seconds).',
    );
  });

  test("empty CMQ topic name", () => {
    const { result, report, file } = check("empty-cmq-topic.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["schema"]);
    expect(report).toContain(
      `${file}:13:15: error: inputs.triggers[0].parameters.name [schema]`,
    );
    expect(report).toContain("the CMQ topic name");
  });

  test("empty CKafka topic", () => {
    const { result, report, file } = check("empty-ckafka-topic.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["schema"]);
    expect(report).toContain(
      `${file}:14:16: error: inputs.triggers[0].parameters.topic [schema]`,
    );
    expect(report).toContain("the CKafka topic");
  });

  test("5-field cron expression", () => {
    const { result, report, file } = check("five-field-cron.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["schema"]);
    expect(report).toContain(
      `${file}:14:25: error: inputs.triggers[0].parameters.cronExpression [schema]`,
    );
    expect(report).toContain("has 5 fields; expected 7");
    expect(report).toContain('"0 */5 * * * * *"');
  });

  test("unknown runtime", () => {
    const { result, report, file } = check("unknown-runtime.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["schema"]);
    expect(report).toContain(`${file}:6:12: error: inputs.runtime [schema]`);
    expect(report).toContain('runtime is "Nodejs99"');
    expect(report).toContain("Nodejs18.15");
  });

  test.each(["Nodejs18.15", "Nodejs20.19", "Nodejs16.13", "Python3.10"])(
    "runtime %s is accepted",
    (runtime) => {
      const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  runtime: ${runtime}\n  functions:\n    api:\n      handler: present/index.main_handler\n`;
      expect(validateServerlessSource(source, FIXTURES).problems).toEqual([]);
    },
  );

  test.each([
    [64, 0],
    [128, 0],
    [3072, 0],
    [100, 1],
    [3200, 1],
  ])("memorySize %d gives exit code %d", (memorySize, expected) => {
    const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  memorySize: ${memorySize}\n  functions:\n    api:\n      handler: present/index.main_handler\n`;
    expect(exitCode(validateServerlessSource(source, FIXTURES))).toBe(expected);
  });

  test("unknown trigger type", () => {
    const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  functions:\n    api:\n      handler: present/index.main_handler\n  triggers:\n    - type: sqs\n      function: api\n`;
    const result = validateServerlessSource(source, FIXTURES);
    expect(exitCode(result)).toBe(1);
    expect(result.problems[0]?.path).toEqual(["inputs", "triggers", 0, "type"]);
    expect(result.problems[0]?.line).toBe(9);
    expect(result.problems[0]?.message).toBe('unknown trigger type "sqs".');
  });

  test("whole-value variable accepted for a number", () => {
    const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  timeout: \${env:TIMEOUT}\n  functions:\n    api:\n      handler: present/index.main_handler\n`;
    expect(validateServerlessSource(source, FIXTURES).problems).toEqual([]);
  });
});

describe("validate: traps", () => {
  test("trigger without enable: true", () => {
    const { result, report, file } = check("trigger-without-enable.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["trigger-disabled"]);
    expect(report).toContain(
      `${file}:12:7: error: inputs.triggers[0].parameters [trigger-disabled]`,
    );
    expect(report).toContain("SCF creates it disabled");
  });

  test("environment.variables instead of environments", () => {
    const { result, report, file } = check("environment-variables.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["environment-ignored"]);
    expect(report).toContain(
      `${file}:9:7: error: inputs.functions.api.environment [environment-ignored]`,
    );
    expect(report).toContain("(LOG_LEVEL)");
  });

  test("trigger naming an unknown function", () => {
    const { result, report, file } = check("unknown-function.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["unknown-function"]);
    expect(report).toContain(
      `${file}:11:17: error: inputs.triggers[0].function [unknown-function]`,
    );
    expect(report).toContain('Did you mean "process-payment"?');
  });

  test("apigw API naming an unknown function", () => {
    const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  functions:\n    api:\n      handler: present/index.main_handler\n  triggers:\n    - type: apigw\n      parameters:\n        name: svc\n        apis:\n          - path: /\n            function: other\n`;
    const result = validateServerlessSource(source, FIXTURES);
    expect(checks(result)).toEqual(["unknown-function"]);
    expect(result.problems[0]?.line).toBe(14);
  });

  test("handler file missing from the build", () => {
    const { result, report, file } = check("missing-handler.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["handler-file-missing"]);
    expect(report).toContain(
      `${file}:10:16: error: inputs.functions.worker.handler [handler-file-missing]`,
    );
    expect(report).toContain("absent/index.js");
    expect(report).toContain('Run "npm run build"');
  });

  test("missing handler passes without the build check", () => {
    const { result } = check("missing-handler.yml", { checkBuild: false });
    expect(exitCode(result)).toBe(0);
  });

  test("topic without a subscriber", () => {
    const { result, report, file } = check("topic-without-subscriber.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["topic-without-subscriber"]);
    expect(report).toContain(
      `${file}:10:14: error: inputs.environments[1].value [topic-without-subscriber]`,
    );
    expect(report).toContain('ORDER_PAID_TOPIC names CMQ topic "order-paid"');
  });

  test("retryNum without asyncRunEnable", () => {
    const { result, report, file } = check("retry-without-async.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["async-config-ignored"]);
    expect(report).toContain(
      `${file}:9:7: error: inputs.functions.worker.retryNum [async-config-ignored]`,
    );
    expect(report).toContain("asyncRunEnable: true");
  });

  test("retryNum equal to the default is a warning", () => {
    const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  functions:\n    api:\n      handler: present/index.main_handler\n      retryNum: 2\n`;
    const result = validateServerlessSource(source, FIXTURES);
    expect(exitCode(result)).toBe(0);
    expect(result.problems[0]?.severity).toBe("warning");
    expect(result.problems[0]?.check).toBe("async-config-ignored");
  });

  test("unknown variable form", () => {
    const { result, report, file } = check("unknown-variable.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["unknown-variable"]);
    expect(report).toContain(
      `${file}:10:14: error: inputs.environments[1].value [unknown-variable]`,
    );
    expect(report).toContain('unknown variable "${foo}"');
  });

  test.each([
    ["${env:DATABASE_URL}", 0],
    ["${name}-${stage}-${app}", 0],
    ["${output:${stage}:${app}:api.url}", 0],
    ["${env.STAGE}", 1],
    ["${env:bad-name}", 1],
    ["${env:X", 1],
  ])("variable %s gives exit code %d", (reference, expected) => {
    const source = `component: multi-scf\nname: n\ninputs:\n  src: ./build\n  description: "${reference}"\n  functions:\n    api:\n      handler: present/index.main_handler\n`;
    expect(exitCode(validateServerlessSource(source, FIXTURES))).toBe(expected);
  });

  test("apigw serviceName without name", () => {
    const { result, report, file } = check("apigw-service-name.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["apigw-key-ignored"]);
    expect(report).toContain(
      `${file}:12:9: error: inputs.triggers[0].parameters.serviceName [apigw-key-ignored]`,
    );
    expect(report).toContain("Rename serviceName to name.");
  });

  test("Function URL with no network enabled", () => {
    const { result, report, file } = check("function-url-no-network.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result)).toEqual(["function-url-no-network"]);
    expect(report).toContain(
      `${file}:10:7: error: inputs.triggers[0] [function-url-no-network]`,
    );
  });

  test("every problem of a file is listed", () => {
    const { result, report } = check("many-problems.yml");
    expect(exitCode(result)).toBe(1);
    expect(checks(result).sort()).toEqual(
      [
        "environment-ignored",
        "handler-file-missing",
        "schema",
        "schema",
        "schema",
        "schema",
        "trigger-disabled",
        "unknown-function",
      ].sort(),
    );
    expect(report).toContain("many-problems.yml: 8 errors\n");
  });
});

describe("validate: the project's serverless.yml", () => {
  let buildDir: string;

  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), "validate-build-"));
    await bundleFunctions(ROOT, buildDir);
  }, 60_000);

  afterAll(() => {
    rmSync(buildDir, { recursive: true, force: true });
  });

  test("is valid against a fresh build", () => {
    const result = validateServerlessFile(join(ROOT, "serverless.yml"), {
      buildDir,
    });
    const errors = result.problems.filter((p) => p.severity === "error");
    expect(errors).toEqual([]);
    expect(exitCode(result)).toBe(0);
    expect(
      formatReport("serverless.yml", result.problems, result.summary),
    ).toMatch(/^serverless\.yml: valid, 5 functions, /m);
  });

  test("reports every handler when the build is empty", () => {
    const emptyDir = mkdtempSync(join(tmpdir(), "validate-empty-"));
    try {
      const result = validateServerlessFile(join(ROOT, "serverless.yml"), {
        buildDir: emptyDir,
      });
      const missing = result.problems.filter(
        (problem) => problem.check === "handler-file-missing",
      );
      expect(exitCode(result)).toBe(1);
      expect(missing).toHaveLength(5);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe("validate: files", () => {
  test("missing file throws ConfigFileError", () => {
    expect(() =>
      validateServerlessFile(join(FIXTURES, "does-not-exist.yml")),
    ).toThrow("file not found");
  });

  test("directory throws ConfigFileError", () => {
    expect(() => validateServerlessFile(FIXTURES)).toThrow(
      "not a regular file",
    );
  });

  test("src is resolved from the file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-src-"));
    try {
      const file = join(dir, "serverless.yml");
      writeFileSync(
        file,
        `component: multi-scf\nname: n\ninputs:\n  src: ${JSON.stringify(join(FIXTURES, "build"))}\n  functions:\n    api:\n      handler: present/index.main_handler\n`,
      );
      expect(exitCode(validateServerlessFile(file))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
