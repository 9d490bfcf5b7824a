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

template <typename T>
class ReadAhead {
 public:
  using Read = std::function<T(std::uint64_t)>;
  using Next = std::function<std::optional<std::uint64_t>(const T&)>;

  // `thread_name`: at most 15 characters (the kernel's limit), shown by top and perf.
  ReadAhead(Read read, Next next, std::uint64_t from, std::size_t depth, std::string thread_name)
      : read_(std::move(read)), next_(std::move(next)), from_(from), depth_(depth), thread_([this, thread_name] {
          pthread_setname_np(pthread_self(), thread_name.c_str());
          Run();
        }) {}
  ~ReadAhead() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next item in order; waits for it. Only as many times as there are items to make.
  T Take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !ready_.empty(); });
    T out = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    cv_.notify_all();
    return out;
  }

 private:
  void Run() {
    for (std::optional<std::uint64_t> at = from_; at;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return ready_.size() < depth_ || closed_; });
        if (closed_) return;
      }
      T item = read_(*at);
      at = next_(item);
      {
        std::lock_guard lock(mu_);
        ready_.push_back(std::move(item));
      }
      cv_.notify_all();
    }
  }

  const Read read_;
  const Next next_;
  const std::uint64_t from_;
  const std::size_t depth_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> ready_;  // GUARDED_BY(mu_)
  bool closed_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;   // last: starts once the members above exist
};

template <typename T>
class OrderedWorker {
 public:
  using Work = std::function<void(T&)>;

  // `thread_name`: at most 15 characters (the kernel's limit), shown by top and perf.
  OrderedWorker(Work work, std::size_t max_queued, std::string thread_name)
      : work_(std::move(work)), max_queued_(max_queued), thread_([this, thread_name] {
          pthread_setname_np(pthread_self(), thread_name.c_str());
          Run();
        }) {}
  ~OrderedWorker() { Finish(); }
  OrderedWorker(const OrderedWorker&) = delete;
  OrderedWorker& operator=(const OrderedWorker&) = delete;

  // Queues an item; waits while `max_queued` are queued.
  void Push(T item) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return queue_.size() < max_queued_; });
      queue_.push_back(std::move(item));
    }
    cv_.notify_all();
  }

  // Works off what is queued, then ends the thread. Push() must not be called after it.
  void Finish() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    for (;;) {
      std::optional<T> item;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        item.emplace(std::move(queue_.front()));
        queue_.pop_front();
      }
      cv_.notify_all();
      work_(*item);
    }
  }

  const Work work_;
  const std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> queue_;  // GUARDED_BY(mu_)
  bool closed_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;   // last: starts once the members above exist
};

}  // namespace portico::projections
