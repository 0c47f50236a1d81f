// An image behind the API's bearer token (thumbnails, report photos): <img src> cannot send the
// header, so the bytes are fetched and shown through an object URL, freed on unmount.
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../console-context.js';

export function AuthImage({ path, alt, class: className }: { path: string; alt: string; class?: string }) {
  const { api } = useConsole();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    let objectUrl: string | null = null;
    setFailed(false);
    api.blob(path, controller.signal).then(
      (blob) => {
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      () => !controller.signal.aborted && setFailed(true),
    );
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [path]);
  if (failed) return <div class={`img-missing ${className ?? ''}`}>—</div>;
  if (!url) return <div class={`img-loading ${className ?? ''}`} aria-busy="true" />;
  return <img class={className} src={url} alt={alt} loading="lazy" />;
}
