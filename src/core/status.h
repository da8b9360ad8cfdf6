// Status and Result<T>: glet's error values. glet code does not throw; every fallible call
// returns a Status (code + message for people) or a Result<T> (a value or a non-OK Status).
//
// Codes are a subset of the canonical gRPC codes with the same numbers, so a Status crosses an
// RPC boundary with a cast. Pick the most specific code:
//   kInvalidArgument   bad user input (flag, config, file, request); the CLI exits 2 for it.
//   kNotFound          a named thing (model, profile row, file) does not exist.
//   kFailedPrecondition  the system is not in the state the call needs; fix state first.
//   kResourceExhausted  it does not fit (devices, memory, queue).
//   kUnavailable       transient; retrying the same call may succeed.
//   kInternal          our own bug or an unexpected third-party failure.
// Messages name the thing at fault, outermost first ("rates.json: /models/2/slo_ms: must be > 0").
// Callers add context as the error rises with WithContext(); they never rewrite the message.
//
// Thread safety: values; safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/check.h"

namespace glet {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
};

// Returns "INVALID_ARGUMENT" etc.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message". OK stays OK.
  Status WithContext(std::string_view context) const;
  // "INVALID_ARGUMENT: message" (or "OK"). Not an API: for logs and people.
  std::string ToString() const;
  // Drops an error on purpose.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status InternalError(std::string message);
Status UnimplementedError(std::string message);
Status DeadlineExceededError(std::string message);
Status CancelledError(std::string message);
Status AlreadyExistsError(std::string message);
Status OutOfRangeError(std::string message);
Status AbortedError(std::string message);
Status PermissionDeniedError(std::string message);

// A value of T or a non-OK Status; never OK without a value. Reading value() of an error aborts
// with the error's message (a bug in the caller, who must check ok() first).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    GLET_CHECK(!status_.ok()) << "Result constructed from an OK Status without a value";
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T& value() & {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` if this holds an error.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  void CheckOk() const { GLET_CHECK(ok()) << "Result::value() on error: " << status_.ToString(); }

  Status status_;
  std::optional<T> value_;
};

}  // namespace glet

#define GLET_STATUS_CONCAT_INNER_(a, b) a##b
#define GLET_STATUS_CONCAT_(a, b) GLET_STATUS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define GLET_RETURN_IF_ERROR(expr)        \
  do {                                    \
    ::glet::Status glet_status_ = (expr); \
    if (!glet_status_.ok()) {             \
      return glet_status_;                \
    }                                     \
  } while (false)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else assigns the value to `lhs`
// (which may be a declaration: `GLET_ASSIGN_OR_RETURN(auto x, Foo());`).
#define GLET_ASSIGN_OR_RETURN(lhs, rexpr) \
  GLET_ASSIGN_OR_RETURN_IMPL_(GLET_STATUS_CONCAT_(glet_result_, __LINE__), lhs, rexpr)
#define GLET_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                \
  if (!result.ok()) {                                   \
    return result.status();                             \
  }                                                     \
  lhs = std::move(result).value()
