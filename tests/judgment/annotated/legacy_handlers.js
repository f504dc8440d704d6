const { exec } = require("child_process");
const db = require("../models");

function AllocationsDAO(database) {
  const allocations = database.collection("allocations");
  this.byThreshold = (userId, threshold, callback) => {
    const criteria = () => {
      if (threshold) {
        return { $where: `this.userId == ${parseInt(userId)} && this.stocks > '${threshold}'` };
      }
      return { userId: parseInt(userId) };
    };
    // ruleid: nosql-injection
    allocations.find(criteria()).toArray(callback);
  };
}

function AllocationsHandler(database) {
  const dao = new AllocationsDAO(database);
  this.display = (req, res) => {
    const { threshold } = req.query;
    dao.byThreshold(req.params.userId, threshold, (err, rows) => res.render("allocations", { rows }));
  };
  this.contributions = function (req, res) {
    // ruleid: code-injection
    const preTax = eval(req.body.preTax);
    // ok: code-injection
    const afterTax = parseInt(req.body.afterTax, 10);
    res.render("contributions", { preTax, afterTax });
  };
}

module.exports.ping = function (req, res) {
  // ruleid: shell-injection
  exec("ping -c 2 " + req.body.address, (err, stdout) => res.render("ping", { output: stdout }));
};

module.exports.search = function (req, res) {
  const query = "SELECT name FROM Users WHERE login='" + req.body.login + "'";
  // ruleid: sql-injection
  db.sequelize.query(query, { model: db.User }).then((users) => res.render("search", { users }));
};

module.exports.searchSafe = function (req, res) {
  // ok: sql-injection
  db.sequelize.query("SELECT name FROM Users WHERE login = ?", { replacements: [req.body.login] });
  res.end();
};

module.exports.go = (req, res) => {
  // ruleid: open-redirect
  res.writeHead(302, {
    Location: req.query.next,
  });
  res.end();
};

module.exports = { AllocationsHandler, ...module.exports };
