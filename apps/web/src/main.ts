import './styles.css';
import { App } from './app.ts';

new App().start().catch((err: unknown) => {
  console.error('the live room failed to start', err);
  const p = document.getElementById('feedback');
  if (p) p.textContent = 'The live room failed to start. Reload to try again.';
});
