// A small self-refreshing status page for operators (reads /status.json).

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function statusPage(nodeName: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>roomcast status: ${esc(nodeName)}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#1c1c28;background:#f6f7fb}
h1{font-size:1.3rem}main{max-width:960px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:.75rem}
.card{background:#fff;border-radius:10px;padding:.8rem 1rem;box-shadow:0 1px 3px #0001}
.card b{display:block;font-size:1.4rem}table{border-collapse:collapse;width:100%;background:#fff;margin-top:1rem}
td,th{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eee}small{color:#667}
</style></head><body><main>
<h1>roomcast · <span id="name">${esc(nodeName)}</span></h1>
<div class="cards" id="cards"></div>
<table><thead><tr><th>channel</th><th>subscribers on this node</th></tr></thead><tbody id="channels"></tbody></table>
<p><small>WebSocket: <code>/connection/websocket</code> · API: <code>POST /api/&lt;method&gt;</code> · <a href="/metrics">metrics</a> · <a href="/health">health</a></small></p>
</main><script>
const fmt=(n)=>typeof n==='number'?n.toLocaleString():String(n);
async function tick(){try{const s=await (await fetch('/status.json')).json();
const c=[['connections',s.connections],['users',s.node.num_users],['channels',s.node.num_channels],['subscriptions',s.node.num_subs],
['deliveries',s.deliveries],['frames out',s.framesOut],['MiB out',(s.bytesOut/1048576).toFixed(1)],['skipped (slow)',s.skippedFrames],
['API publishes',s.publicationsIn.api],['client publishes',s.publicationsIn.client],['RSS MiB',(s.memory.rss/1048576).toFixed(0)],['uptime s',s.node.uptime]];
document.getElementById('cards').innerHTML=c.map(([k,v])=>'<div class="card"><small>'+k+'</small><b>'+fmt(v)+'</b></div>').join('');
const tb=document.getElementById('channels');tb.textContent='';for(const ch of s.channels){const tr=document.createElement('tr');
const a=document.createElement('td');a.textContent=ch.name;const b=document.createElement('td');b.textContent=fmt(ch.subscribers);tr.append(a,b);tb.append(tr);}
}catch(e){}setTimeout(tick,2000)}tick();
</script></body></html>`;
}
