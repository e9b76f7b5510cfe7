/**
 * Offers data as a file download through a temporary link, the same in a browser and in
 * Electron's window (both hand the page the data; no path on disk is involved).
 */
export function downloadFile(fileName: string, data: BlobPart, mime: string): void {
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: the download has started from the URL by then.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
