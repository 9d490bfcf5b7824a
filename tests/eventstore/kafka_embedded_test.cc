// The embedded broker's request size bound: the largest message our producers can send still
// goes through, and a client that announces a request past the bound is disconnected at once
// instead of having the broker reserve memory for it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "eventstore/kafka_embedded.h"

namespace portico::eventstore {
namespace {

std::unique_ptr<EmbeddedKafka> StartBroker() {
  EmbeddedKafka::Options options;
  options.topics.push_back({"bound.test", 1});
  auto kafka = EmbeddedKafka::Start(options);
  EXPECT_TRUE(kafka.ok()) << kafka.status().ToString();
  return kafka.ok() ? std::move(kafka).value() : nullptr;
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  *static_cast<rd_kafka_resp_err_t*>(opaque) = message->err;
}

TEST(EmbeddedKafkaTest, AcceptsTheLargestMessageOurProducersSend) {
  auto kafka = StartBroker();
  ASSERT_NE(kafka, nullptr);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", kafka->bootstrap_servers().c_str(), err, sizeof err),
            RD_KAFKA_CONF_OK);
  rd_kafka_resp_err_t delivered = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  rd_kafka_conf_set_opaque(conf, &delivered);
  rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(producer, nullptr) << err;
  // librdkafka's default message.max.bytes (1,000,000), less the record's own overhead.
  std::string value(990'000, 'x');
  ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("bound.test"), RD_KAFKA_V_KEY("k", 1),
                              RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_flush(producer, 30'000);
  EXPECT_EQ(delivered, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(delivered);
  rd_kafka_destroy(producer);
}

TEST(EmbeddedKafkaTest, DisconnectsAClientThatAnnouncesAnOversizedRequest) {
  auto kafka = StartBroker();
  ASSERT_NE(kafka, nullptr);
  const std::string& bootstrap = kafka->bootstrap_servers();  // "127.0.0.1:PORT"
  const std::size_t colon = bootstrap.find(':');
  ASSERT_NE(colon, std::string::npos) << bootstrap;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(bootstrap.substr(colon + 1))));
  ASSERT_EQ(inet_pton(AF_INET, bootstrap.substr(0, colon).c_str(), &address.sin_addr), 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
  // A request header (size, ApiKey Produce, ApiVersion 7, correlation id) announcing 50 MB.
  const std::uint32_t size = htonl(50'000'000);
  char header[12] = {};
  std::memcpy(header, &size, 4);
  header[5] = 0;  // ApiKey 0 (Produce)
  header[7] = 7;  // ApiVersion 7
  header[11] = 1;  // CorrelationId 1
  ASSERT_EQ(::send(fd, header, sizeof header, MSG_NOSIGNAL), static_cast<ssize_t>(sizeof header));
  // Without the bound the broker would wait for the 50 MB; give up on it after 20 s.
  timeval timeout{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte = 0;
  const ssize_t received = ::recv(fd, &byte, 1, 0);
  const int error = errno;
  ::close(fd);
  EXPECT_TRUE(received == 0 || (received < 0 && error == ECONNRESET))
      << "the broker kept the connection open for a request of 50 MB (recv: " << received << ", "
      << std::strerror(error) << ")";
}

}  // namespace
}  // namespace portico::eventstore
