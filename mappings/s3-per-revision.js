// Outgoing mapping (seed 000, Bosch IoT Things "Publish twin events to AWS S3"): one S3 object per
// twin event, key `<namespace>:<name>:things:twin:events:<action>:<revision>` set via `http.path`,
// body = the whole Ditto Protocol event as JSON.
//
// This is the seed's script verbatim except for the two lines the printed page lost, so that it
// compiles: the `};` closing the headers object and the final `}` closing the function.
// Use it with a target `PUT:/` subscribed to `_/_/things/twin/events`.
function mapFromDittoProtocolMsgWrapper(msg) {
  let topic = msg['topic'].split('/').join(':');
  let headers = {
      'http.path': topic + ':' + msg['revision']
  };
  let textPayload = JSON.stringify(msg);
  let bytePayload = null;
  let contentType = 'application/json';

  return Ditto.buildExternalMsg(headers, textPayload, bytePayload, contentType);
}
