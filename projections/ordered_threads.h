// Two small helpers of the projection runner's catch-up from the log (runner.cc), each a thread
// of its own that hands work over in order through a bounded queue:
//
//   ReadAhead<T>    produces items ahead of its consumer: read(at) makes the item starting at
//                   `at`, next(item) says where the following one starts (nothing: stop), and
//                   Take() hands them over in order, at most `depth` made ahead. The runner
//                   reads and verifies log batches on it while it applies the batch before.
//   OrderedWorker<T> consumes items in the order pushed: Push() queues one (waiting while
//                   `max_queued` are queued, so memory stays bounded), Finish() lets the
//                   thread work off the queue and joins it. The runner applies a
//                   self-contained projection on one (a "lane") while it applies the others.
//
// Both keep one thread for their whole life rather than one per item: a fresh thread also
// starts the allocator on a fresh heap. Destroying a ReadAhead drops what was not taken;
// destroying an OrderedWorker finishes it first.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace portico::projections {

namespace ordered_threads_internal {

// The queue both hand their items over through: at most `capacity` items, and Close() to wake
// and release everyone who waits.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  // Waits until fewer than `capacity` items are queued; false once closed.
  bool WaitForRoom() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.size() < capacity_ || closed_; });
    return !closed_;
  }

  // Waits for room, then queues `item`; false (the item dropped) once closed.
  bool Push(T item) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return queue_.size() < capacity_ || closed_; });
      if (closed_) return false;
      queue_.push_back(std::move(item));
    }
    cv_.notify_all();
    return true;
  }

  // The oldest item; waits for one. Nothing once closed and empty: what was queued before
  // Close() is still handed out.
  std::optional<T> Pop() {
    std::optional<T> item;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return std::nullopt;
      item.emplace(std::move(queue_.front()));
      queue_.pop_front();
    }
    cv_.notify_all();
    return item;
  }

  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> queue_;  // GUARDED_BY(mu_)
  bool closed_ = false;  // GUARDED_BY(mu_)
};

// A thread running `run`, named `name` (at most 15 characters, the kernel's limit) for top,
// perf and gdb.
template <typename F>
std::thread NamedThread(std::string name, F run) {
  return std::thread([name = std::move(name), run = std::move(run)]() mutable {
    pthread_setname_np(pthread_self(), name.c_str());
    run();
  });
}

}  // namespace ordered_threads_internal

template <typename T>
class ReadAhead {
 public:
  using Read = std::function<T(std::uint64_t)>;
  using Next = std::function<std::optional<std::uint64_t>(const T&)>;

  // `thread_name`: at most 15 characters (the kernel's limit), shown by top and perf.
  ReadAhead(Read read, Next next, std::uint64_t from, std::size_t depth, std::string thread_name)
      : read_(std::move(read)),
        next_(std::move(next)),
        ready_(depth),
        thread_(ordered_threads_internal::NamedThread(std::move(thread_name), [this, from] { Run(from); })) {}
  ~ReadAhead() {
    ready_.Close();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next item in order; waits for it. Only as many times as there are items to make.
  T Take() { return std::move(*ready_.Pop()); }

 private:
  void Run(std::uint64_t from) {
    // Room is awaited before reading, so that no more than `depth` items are ever read ahead.
    for (std::optional<std::uint64_t> at = from; at && ready_.WaitForRoom();) {
      T item = read_(*at);
      at = next_(item);
      if (!ready_.Push(std::move(item))) return;
    }
  }

  const Read read_;
  const Next next_;
  ordered_threads_internal::BoundedQueue<T> ready_;
  std::thread thread_;  // last: starts once the members above exist
};

template <typename T>
class OrderedWorker {
 public:
  using Work = std::function<void(T&)>;

  // `thread_name`: at most 15 characters (the kernel's limit), shown by top and perf.
  OrderedWorker(Work work, std::size_t max_queued, std::string thread_name)
      : work_(std::move(work)),
        queue_(max_queued),
        thread_(ordered_threads_internal::NamedThread(std::move(thread_name), [this] { Run(); })) {}
  ~OrderedWorker() { Finish(); }
  OrderedWorker(const OrderedWorker&) = delete;
  OrderedWorker& operator=(const OrderedWorker&) = delete;

  // Queues an item; waits while `max_queued` are queued.
  void Push(T item) { queue_.Push(std::move(item)); }

  // Works off what is queued, then ends the thread. Push() must not be called after it.
  void Finish() {
    queue_.Close();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    while (std::optional<T> item = queue_.Pop()) work_(*item);
  }

  const Work work_;
  ordered_threads_internal::BoundedQueue<T> queue_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace portico::projections
