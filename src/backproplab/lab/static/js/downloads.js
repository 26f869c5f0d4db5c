// Saving an export reply (text or base64 bytes) as a file.
export function saveExport(reply) {
  let blob;
  if (reply.base64 !== undefined) {
    const bytes = Uint8Array.from(atob(reply.base64), (c) => c.charCodeAt(0));
    blob = new Blob([bytes], { type: reply.mime });
  } else {
    blob = new Blob([reply.text], { type: reply.mime });
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = reply.filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
