const express = require("express");
const cookieParser = require("cookie-parser");

const app = express();
app.use(cookieParser(process.env.COOKIE_SECRET));

app.get("/profile", (req, res) => {
  const raw = req.signedCookies.profile;
  if (!raw) {
    return res.redirect("/login");
  }
  let profile;
  try {
    profile = JSON.parse(raw);
  } catch (err) {
    res.clearCookie("profile");
    return res.redirect("/login");
  }
  res.render("profile", { name: String(profile.name), plan: String(profile.plan) });
});

app.listen(3000);
