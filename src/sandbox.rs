//! An emulator of the RAM (2015-05-01) and STS (2015-04-01) RPC APIs, served
//! over HTTP on loopback, for the demo and for every test.
