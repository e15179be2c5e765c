import Foundation
import Testing

@testable import AutogradService

/// The contract users read (`openapi.yaml`), the document the server serves, and the router must agree.
@Suite struct OpenAPIRoutesTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func rootDocument() throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
    }

    @Test func servedDocumentIsTheRootOpenAPIFileByteForByte() throws {
        #expect(OpenAPIDocument.text == (try Self.rootDocument()), "run scripts/embed-openapi.sh")
    }
}
