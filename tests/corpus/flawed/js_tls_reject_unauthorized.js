const https = require("https");
const axios = require("axios");

const agent = new https.Agent({ rejectUnauthorized: false });

const partner = axios.create({
  baseURL: "https://partner.example.com/api",
  timeout: 10000,
  httpsAgent: agent,
});

async function pushShipment(shipment) {
  const { data } = await partner.post("/shipments", shipment, {
    headers: { Authorization: `Bearer ${process.env.PARTNER_TOKEN}` },
  });
  return data.tracking_number;
}

module.exports = { pushShipment };
