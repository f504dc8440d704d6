export interface Invoice {
  id: string;
  customerId: string;
  totalCents: number;
  paid: boolean;
}

export class InvoiceService {
  constructor(private readonly baseUrl: string) {}

  async get(id: string): Promise<Invoice> {
    throw new Error("Not implemented");
  }

  async markPaid(id: string): Promise<void> {
    throw new Error("Not implemented");
  }

  async listUnpaid(customerId: string): Promise<Invoice[]> {
    // TODO: call the billing API
    return [];
  }
}
