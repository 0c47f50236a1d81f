// The console's only way to the coordinator: its public HTTP API with the operator's bearer
// token. Errors keep the API's code and message so pages can show the server's reason.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined | null>;

export class ApiClient {
  constructor(
    readonly token: string,
    private readonly baseUrl = '',
    /** Told when the server no longer knows the token (revoked or rotated mid-shift). */
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', this.url(path, query), undefined, signal);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', this.url(path), body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', this.url(path), body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', this.url(path), body);
  }

  /** Images (thumbnails, report photos): fetched with the token, shown through an object URL. */
  async blob(path: string, signal?: AbortSignal): Promise<Blob> {
    const res = await fetch(this.url(path), { headers: this.headers(), signal });
    if (!res.ok) throw await this.failure(res);
    return res.blob();
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, accept: 'application/json' };
  }

  send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, this.url(path), body);
  }

  private async request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (!res.ok) throw await this.failure(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  private async failure(res: Response): Promise<ApiError> {
    if (res.status === 401) this.onUnauthorized();
    return toError(res);
  }
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(res.status, body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? res.statusText);
  } catch {
    return new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
  }
}
