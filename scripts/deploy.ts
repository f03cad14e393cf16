import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type DeployPlan, planDeploy } from "./deploy/plan";
import { commandLine, runSteps, StepFailedError } from "./deploy/run-steps";

const USAGE = `Usage: npm run deploy -- [options]

Builds the functions, validates serverless.yml, applies the database
migrations, then deploys with the Tencent components CLI.

Options:
  --dry-run       print the steps and the resolved serverless.yml; run nothing
  --stage NAME    the stage to deploy (default: STAGE, then dev)
  --config FILE   the serverless.yml to deploy (default: ./serverless.yml)
  -h, --help      show this help

Required variables: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (or
TENCENT_SECRET_ID and TENCENT_SECRET_KEY), and every \${env:NAME} that
serverless.yml references except TDMQ_API_URL. MIGRATE_DATABASE_URL, when
set, is the database URL migrations use instead of DATABASE_URL.
See docs/deploy.md.
`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function printPlan(plan: DeployPlan): void {
  out(`deploy plan for stage ${plan.stage} (dry run: nothing runs)`);
  out("");
  for (const [index, step] of plan.steps.entries()) {
    out(`${index + 1}. ${step.name}: ${commandLine(step)}`);
    out(`   cwd: ${step.cwd}`);
    for (const [name, value] of Object.entries(step.shownEnv)) {
      out(`   ${name}=${value}`);
    }
  }
  out("");
  out("SCF functions:");
  for (const fn of plan.functions) out(`  ${fn.key} -> ${fn.name}`);
  out("");
  out(`resolved ${plan.configFile}:`);
  out(plan.resolvedConfig.trimEnd());
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        "dry-run": { type: "boolean", default: false },
        stage: { type: "string" },
        config: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    err(`deploy: ${(error as Error).message}\n`);
    err(USAGE);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }

  const root = resolve(__dirname, "..");
  const result = planDeploy(
    {
      root,
      configFile: resolve(args.config ?? join(root, "serverless.yml")),
      stage: args.stage,
    },
    process.env,
  );
  if (!result.ok) {
    err("deploy: cannot start, fix these first:");
    for (const problem of result.problems) err(`  - ${problem}`);
    return 1;
  }

  if (args["dry-run"]) {
    printPlan(result.plan);
    return 0;
  }

  try {
    await runSteps(result.plan.steps, out);
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
    err(`\n${error.message}`);
    return 1;
  }
  out(`\ndeployed stage ${result.plan.stage}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`deploy failed: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
