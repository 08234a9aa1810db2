// Entry of a notice render thread (NoticeRenderPool). The source is TypeScript run by tsx, and a worker
// thread does not inherit the loader of the thread that starts it: register tsx's loader here, then load
// the worker module.
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
