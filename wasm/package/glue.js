let x,u8;
const enc=new TextEncoder(),dec=new TextDecoder(),
  R=["contentType","contentDisposition","cacheControl","contentEncoding","contentLanguage","expires"],
  view=()=>u8?.buffer==x.memory.buffer?u8:(u8=new Uint8Array(x.memory.buffer));
export default m=>{x=new WebAssembly.Instance(m,{}).exports};
function call(op,o){
  const c=o.credentials||{},r=o.response||{},h=o.headers||{},g=o.contentLengthRange||[],
    list=[c.accessKeyId,c.secretAccessKey,c.sessionToken,o.endpoint,o.region,o.bucket,o.key,
      o.addressingStyle,o.versionId,o.contentType,o.contentTypeMode,o.method,o.payloadHash,
      ...R.map(k=>r[k])];
  for(const k in h)list.push(k,h[k]);
  let n=0,strs=list.map(v=>v==null?"":String(v));
  for(const s of strs)n+=4+3*s.length;
  const start=x.a(n),m=view();
  if(!start)throw Error("the options are too large (over 1 MiB)");
  let at=start;
  for(const s of strs){
    const w=enc.encodeInto(s,m.subarray(at+4,start+n)).written;
    m[at]=w;m[at+1]=w>>8;m[at+2]=w>>16;m[at+3]=w>>>24;
    at+=4+w;
  }
  const failed=x.s(op,at-start,o.expiresIn??NaN,Math.floor(+o.time/1e3),g[0]??NaN,g[1]??NaN),
    p=x.p(),t=dec.decode(view().subarray(p,p+x.l())).split("\0"),pairs={};
  if(failed)throw Error(t[0]);
  for(let i=3;i<t.length;i+=2)pairs[t[i]]=t[i+1];
  const out={method:t[0],url:t[1],headers:op==2?{}:pairs,expiresAt:t[2]?new Date(t[2]*1e3):null};
  if(op==2)out.fields=pairs;
  return out;
}
export const presignGet=o=>call(0,o),presignPut=o=>call(1,o),
  presignPost=o=>call(2,o),signHeaders=o=>call(3,o);
