// Preloaded with `node --require` into npm test peers that listen on every interface (such as
// server-everything's streamable HTTP mode, which reads only PORT): pins every TCP listener to
// 127.0.0.1 so tests never expose a port beyond this machine.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "string" && /^\d+$/.test(args[0])) {
    args[0] = Number(args[0]);
  }
  if (typeof args[0] === "number") {
    if (typeof args[1] === "string") {
      args[1] = "127.0.0.1";
    } else {
      args.splice(1, 0, "127.0.0.1");
    }
  } else if (args[0] && typeof args[0] === "object" && !Array.isArray(args[0]) && args[0].path === undefined) {
    args[0] = Object.assign({}, args[0], { host: "127.0.0.1" });
  }
  return listen.apply(this, args);
};
