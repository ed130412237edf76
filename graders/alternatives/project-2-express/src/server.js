import { createApp } from './app.js';
import { migrate } from './db.js';
import { startWorker } from './queue.js';

await migrate();
startWorker();
const port = Number(process.env.PORT ?? 3000);
createApp().listen(port, () => console.log(`listening on ${port}`));
