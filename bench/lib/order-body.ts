/** A valid `POST /orders` body that ends `shipped` with the sandboxes' defaults. */
export function orderBody(paymentToken = "tok_ok"): string {
  return JSON.stringify({
    customerId: "c-bench",
    currency: "CNY",
    items: [{ sku: "TEA-250G", quantity: 2, unitPrice: 4800 }],
    paymentToken,
    shippingAddress: {
      name: "Bench Customer",
      line1: "1 Example Rd",
      city: "Shenzhen",
      postalCode: "518000",
      country: "CN",
    },
  });
}
