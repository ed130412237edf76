import { createApp, ensureAdmin } from './app.js';
import { migrate } from './db.js';

await migrate();
await ensureAdmin();
const port = Number(process.env.PORT ?? 3000);
createApp().listen(port, () => console.log(`listening on ${port}`));
