// Process-wide settings for glet's serving processes (frontend, backend, proxy, client, serve),
// applied once at the start of main() before any thread or gRPC object exists.
//
// Contract: TuneProcessForServing() does all of the following (each is callable on its own):
//   - IgnoreSigpipe(): a peer that closes a connection while the process writes to it makes the
//     write fail with EPIPE instead of killing the process. Plain sockets are written with
//     MSG_NOSIGNAL, but OpenSSL (HTTPS on the KServe port, --kserve-tls-*) writes with write(2),
//     so one HTTPS client that hung up mid-answer would have ended the frontend.
//   - TurnOffMutexDeadlockDetection() turns off Abseil's mutex deadlock detector. Debian builds
//   Abseil without NDEBUG, so the
//     detector is on by default and records a lock-order graph (with stack traces) on every
//     absl::Mutex acquisition inside gRPC: about 3% of a frontend's CPU per request under load,
//     and it would abort the process on a suspected cycle. Release builds of Abseil, as
//     production gRPC servers use, have it off.
//   - PreferPollEngine() selects gRPC's `poll` polling engine (GRPC_POLL_STRATEGY=poll) unless the
//   environment
//     already names one. With the default `epoll1`, every connection of the process sits in one
//     epoll set that all polling threads share, and the polling role rotates among them: a call
//     read by the control server's thread, or by a lane waiting for its batch, is handed to the
//     thread that serves it, a context switch per hand-off. With `poll` each completion queue's
//     thread polls only its own server's or call's connections, so a frontend's KServe loop
//     reads and answers its calls itself (frontend switches per request 1.45 -> 0.80, see
//     docs/benchmarks.md). `poll` costs O(connections) per wake-up: a frontend with thousands
//     of client connections may do better with GRPC_POLL_STRATEGY=epoll1.
//   All are idempotent; safe to call more than once.
#pragma once

namespace glet::serve {

void IgnoreSigpipe();
void TurnOffMutexDeadlockDetection();
void PreferPollEngine();
void TuneProcessForServing();

}  // namespace glet::serve
