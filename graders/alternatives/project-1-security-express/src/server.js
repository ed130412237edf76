import { createApp, ensureAdmin } from './app.js';
import { config } from './config.js';
import { migrate } from './db.js';

await migrate();
await ensureAdmin();
createApp().listen(config.port, () => console.log(`listening on ${config.port}`));
