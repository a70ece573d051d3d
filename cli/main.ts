/** The `dbfork` executable (bundled to dist/cli.mjs by `npm run build`). */
import { runCli } from './program.js';

// The SDK's once-per-process notice that Node 20 support ends in 2027 is not for a CLI's users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await runCli(process.argv.slice(2));
