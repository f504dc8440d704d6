export interface Invoice {
  id: string;
  customerId: string;
  totalCents: number;
  paid: boolean;
}

export class InvoiceService {
  constructor(private readonly baseUrl: string, private readonly fetchImpl: typeof fetch = fetch) {}

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const resp = await this.fetchImpl(`${this.baseUrl}${path}`, init);
    if (!resp.ok) {
      throw new Error(`${init?.method ?? "GET"} ${path}: HTTP ${resp.status}`);
    }
    return (await resp.json()) as T;
  }

  get(id: string): Promise<Invoice> {
    return this.request<Invoice>(`/invoices/${encodeURIComponent(id)}`);
  }

  async markPaid(id: string): Promise<void> {
    await this.request<unknown>(`/invoices/${encodeURIComponent(id)}/paid`, { method: "POST" });
  }

  listUnpaid(customerId: string): Promise<Invoice[]> {
    return this.request<Invoice[]>(`/customers/${encodeURIComponent(customerId)}/invoices?paid=false`);
  }
}
