/**
 * Running a handler in this process against the emulated endpoints: for code the emulator cannot
 * run (e.g. ECS/Fargate workers, which need Docker) or paths the reference architectures do not
 * deploy. The handler module is loaded fresh with the environment its construct would set, plus
 * the emulator's endpoint and dummy credentials, and the previous environment is restored after.
 */
import { LOCAL_REGION } from './deploy';

export async function withLambdaEnvironment<T>(endpoint: string, environment: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    ...environment,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: LOCAL_REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
