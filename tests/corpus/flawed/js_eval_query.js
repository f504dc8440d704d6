const express = require("express");

const app = express();
app.use(express.json());

// Quick calculator endpoint for the support dashboard.
app.get("/api/calc", (req, res) => {
  const expr = req.query.expr;
  if (!expr || expr.length > 200) {
    return res.status(400).json({ error: "expr required" });
  }
  try {
    const result = eval(req.query.expr);
    res.json({ expr, result });
  } catch (err) {
    res.status(422).json({ error: String(err) });
  }
});

app.listen(process.env.PORT || 3000);
