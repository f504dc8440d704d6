const express = require("express");
const { evaluate } = require("./arith");

const app = express();
app.use(express.json());

// Calculator endpoint for the support dashboard: arithmetic only, parsed by our own grammar.
app.get("/api/calc", (req, res) => {
  const expr = String(req.query.expr || "");
  if (!expr || expr.length > 200) {
    return res.status(400).json({ error: "expr required" });
  }
  try {
    const result = evaluate(expr);
    res.json({ expr, result });
  } catch (err) {
    res.status(422).json({ error: err.message });
  }
});

app.listen(process.env.PORT || 3000);
