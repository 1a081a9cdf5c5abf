import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;
/**
 * mongo-java-server with its in-memory backend on 127.0.0.1:PORT, for the benchmark only. It reports
 * itself as MongoDB 6.0 (wire version 17): the Node.js driver refuses servers below 4.4.
 */
public class Main {
  public static void main(String[] a) throws Exception {
    MongoVersion v = new MongoVersion() {
      public List<Integer> getVersionArray() { return List.of(6, 0, 0); }
      public int getWireVersion() { return 17; }
      // buildInfo says which server this is (the benchmark prints it).
      public String toVersionString() { return "6.0.0 (mongo-java-server 1.46.0, in-memory)"; }
    };
    MongoServer s = new MongoServer(new MemoryBackend().version(v));
    s.bind("127.0.0.1", Integer.parseInt(a[0]));
    System.out.println("listening " + a[0]);
    Thread.currentThread().join();
  }
}
