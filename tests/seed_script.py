"""The seed document's S3 script exactly as the vendor page prints it (seeds/000).

It does not compile: the printed page lost the `};` after the headers object and the function's
closing `}`. Tests of error reporting, `mapper check` and the shipped fix all start from this text.
"""

SEED_AS_PRINTED = """\
function mapFromDittoProtocolMsgWrapper(msg) {
  let topic = msg['topic'].split('/').join(':');
  let headers = {
      'http.path': topic + ':' + msg['revision']
  let textPayload = JSON.stringify(msg);
  let bytePayload = null;
  let contentType = 'application/json';

  return Ditto.buildExternalMsg(headers, textPayload, bytePayload, contentType);
"""
