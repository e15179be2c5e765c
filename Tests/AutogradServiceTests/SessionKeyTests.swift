import Testing

@testable import AutogradService

/// Session ids and the 128-bit keys the store files sessions under.
@Suite struct SessionKeyTests {
  @Test func idTextComesBackToItsKey() {
    for key in [
      SessionKey(high: 0, low: 0), SessionKey(high: .max, low: .max),
      SessionKey(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210), SessionKey.random(),
    ] {
      let text = key.text
      #expect(text.utf8.count == 22)
      #expect(SessionKey(text[...]) == key)
    }
    #expect(SessionKey(high: 0, low: 0).text == "AAAAAAAAAAAAAAAAAAAAAA")
    #expect(SessionKey(high: .max, low: .max).text == "_____________________w")
  }

  @Test func textNoIdSpellsHasNoKey() {
    #expect(SessionKey("AAAAAAAAAAAAAAAAAAAAAB"[...]) == nil)  // last character carries only 2 bits
    #expect(SessionKey("AAAAAAAAAAAAAAAAAAAAA"[...]) == nil)  // 21 characters
    #expect(SessionKey("AAAAAAAAAAAAAAAAAAAAAAA"[...]) == nil)  // 23
    #expect(SessionKey("AAAAAAAAAA+AAAAAAAAAAA"[...]) == nil)  // base64, not base64url
    #expect(SessionKey("AAAAAAAAAAéAAAAAAAAAA"[...]) == nil)
  }
}
