// Waiting for slow work from a handler without blocking an I/O thread.
//
// OnWorkerPool(pool, fn) runs fn() on `pool` (an argon2id hash, a blocking fsync'd append, a
// blocking wait) and resumes the awaiting coroutine on its own executor (for a handler: its
// connection's strand) with fn's result. An exception thrown by fn is rethrown in the
// coroutine. fn is moved to the pool thread; what it references must outlive the call.
//
//   std::string hash = co_await OnWorkerPool(hash_pool, [&] { return HashPassword(pw); });
//
// AwaitCallback<T>(start) adapts a callback-style API, such as EventStore::AppendAsync, whose
// callback runs on another thread. It calls start(callback) once the coroutine is suspended;
// `callback` is copyable (fits a std::function<void(T)>), may be invoked from any thread, and
// resumes the coroutine on its own executor with the value. Calls after the first are
// ignored. If every copy of the callback is destroyed uncalled, the awaiting coroutine is
// destroyed without resuming (its connection closes without a reply).
//
//   auto appended = co_await AwaitCallback<Result<AppendResult>>([&](auto done) {
//     store.AppendAsync(stream, expected, std::move(envelopes), key, std::move(done));
//   });
//
// Both keep the awaiting coroutine's io_context busy (outstanding work) until it resumes.
#pragma once

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace portico::gateway {
namespace async_detail {

// The handler's executor, counting as outstanding work while this copy lives.
template <typename Handler>
auto TrackedExecutor(const Handler& handler) {
  return boost::asio::prefer(boost::asio::get_associated_executor(handler),
                             boost::asio::execution::outstanding_work.tracked);
}

// Runs `fn` on `pool`; completes `handler` with (exception, optional result) on the
// handler's executor.
struct PostToPool {
  template <typename Handler, typename F>
  void operator()(Handler handler, boost::asio::thread_pool* pool, F fn) const {
    auto executor = TrackedExecutor(handler);
    boost::asio::post(*pool, [fn = std::move(fn), handler = std::move(handler),
                              executor = std::move(executor)]() mutable {
      using R = std::invoke_result_t<F&>;
      std::exception_ptr error;
      if constexpr (std::is_void_v<R>) {
        try {
          fn();
        } catch (...) {
          error = std::current_exception();
        }
        boost::asio::post(executor, [handler = std::move(handler), error]() mutable {
          std::move(handler)(error);
        });
      } else {
        std::optional<R> result;
        try {
          result.emplace(fn());
        } catch (...) {
          error = std::current_exception();
        }
        boost::asio::post(
            executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
              std::move(handler)(error, std::move(result));
            });
      }
    });
  }
};

template <typename T, typename Handler, typename Executor>
struct CallbackState {
  CallbackState(Handler h, Executor e) : handler(std::move(h)), executor(std::move(e)) {}
  Handler handler;
  Executor executor;
  std::atomic<bool> called{false};
};

template <typename T>
struct StartWithCallback {
  template <typename Handler, typename Start>
  void operator()(Handler handler, Start start) const {
    auto executor = TrackedExecutor(handler);
    using State = CallbackState<T, Handler, decltype(executor)>;
    auto state = std::make_shared<State>(std::move(handler), std::move(executor));
    std::move(start)([state](T value) {
      if (state->called.exchange(true)) return;
      // Only the first call gets here. Moving the executor out ends its outstanding-work
      // count once the completion is posted, even while copies of the callback live on.
      auto target = std::move(state->executor);
      boost::asio::post(target, [state, value = std::move(value)]() mutable {
        std::move(state->handler)(std::move(value));
      });
    });
  }
};

}  // namespace async_detail

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> OnWorkerPool(boost::asio::thread_pool& pool,
                                                              F fn) {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                         void(std::exception_ptr)>(
        async_detail::PostToPool{}, boost::asio::use_awaitable, &pool, std::move(fn));
  } else {
    std::optional<R> result =
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                             void(std::exception_ptr, std::optional<R>)>(
            async_detail::PostToPool{}, boost::asio::use_awaitable, &pool, std::move(fn));
    co_return std::move(*result);
  }
}

template <typename T, typename Start>
boost::asio::awaitable<T> AwaitCallback(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(T)>(
      async_detail::StartWithCallback<T>{}, boost::asio::use_awaitable, std::move(start));
}

}  // namespace portico::gateway
