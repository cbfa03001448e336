// The messages of Prometheus remote write 1.0 that we send: the WriteRequest
// of prompb/remote.proto and what it holds from prompb/types.proto (Prometheus
// v3.5.3), as .proto text without the gogoproto options and the fields we never
// set (exemplars, metadata), parsed once by protobufjs.

import protobuf from 'protobufjs';

const PROTO = `syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
}

message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 4;
}

message Label {
  string name = 1;
  string value = 2;
}

message Sample {
  double value = 1;
  int64 timestamp = 2;
}

message Histogram {
  oneof count {
    uint64 count_int = 1;
    double count_float = 2;
  }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count {
    uint64 zero_count_int = 6;
    double zero_count_float = 7;
  }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  ResetHint reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;

  enum ResetHint {
    UNKNOWN = 0;
    YES = 1;
    NO = 2;
    GAUGE = 3;
  }
}

message BucketSpan {
  sint32 offset = 1;
  uint32 length = 2;
}
`;

const root = protobuf.parse(PROTO).root;

/** prometheus.WriteRequest: encode() for sending, decode() for the tests' receivers. */
export const WriteRequest = root.lookupType('prometheus.WriteRequest');
